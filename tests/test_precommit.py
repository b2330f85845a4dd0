"""The pre-commit hooks (.pre-commit-hooks.yaml), tested with the real `pre-commit`.

pre-commit installs a hook repository by cloning it at the `rev:` a project's .pre-commit-config.yaml
names, then pip-installing it into a virtualenv of its own. A clone sees only committed files, and
`pre-commit try-repo` adds only changes to files git already tracks (not new files such as the hooks
manifest itself while it is uncommitted). So the test commits a snapshot of this checkout's working
tree (tracked and untracked files, .gitignore honoured) into a throw-away repository and points the
project's config at that: the hooks are tested exactly as they are on disk, committed or not.

Building the hook environment pip-installs emoscan and its dependencies (PyPI or the machine's pip
configuration), which takes a while; it happens once per module, in a PRE_COMMIT_HOME under tmp.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
MANIFEST = REPO / ".pre-commit-hooks.yaml"
MODEL_EXTENSIONS = ("onnx", "safetensors", "pt", "pth", "bin", "ckpt", "pkl", "h5", "keras", "tflite", "gguf")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

DECLARATION = '[[deployment]]\ncontext = "workplace"\nsubjects = ["employees"]\n'
PROHIBITED = "from fer import FER\n\n\ndef moods(frame):\n    return FER().detect_emotions(frame)\n"
SUPPRESSED = (
    "from fer import FER\n\n\ndef moods(frame):\n"
    "    return FER().detect_emotions(frame)  # emoscan: ignore[EMO001] offline replay of consented "
    "recordings, never run on staff\n"
)


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=_git_env())
    return done.stdout


def _git_env() -> dict[str, str]:
    # Outside variables such as GIT_DIR (set when pytest runs inside a git hook) would point git
    # at the wrong repository.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="emoscan tests",
        GIT_AUTHOR_EMAIL="tests@example.invalid",
        GIT_COMMITTER_NAME="emoscan tests",
        GIT_COMMITTER_EMAIL="tests@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def init_repo(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    git("init", "--quiet", cwd=path)
    git("config", "user.email", "tests@example.invalid", cwd=path)
    git("config", "user.name", "emoscan tests", cwd=path)
    git("config", "commit.gpgsign", "false", cwd=path)


def commit_all(path: Path, message: str) -> str:
    git("add", "--all", cwd=path)
    git("commit", "--quiet", "--no-verify", "-m", message, cwd=path)
    return git("rev-parse", "HEAD", cwd=path).strip()


def working_tree_files(repo: Path) -> list[str]:
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=repo)
    return [name for name in listed.split("\0") if name and (repo / name).is_file()]


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A committed snapshot of this checkout's working tree: (path, commit)."""
    snapshot = tmp_path_factory.mktemp("emoscan-hook-repo")
    for name in working_tree_files(REPO):
        target = snapshot / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    init_repo(snapshot)
    return snapshot, commit_all(snapshot, "snapshot of the emoscan working tree")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def make_project(root: Path, hook_repo: tuple[Path, str], code: str) -> Path:
    repo_path, rev = hook_repo
    init_repo(root)
    (root / "emoscan.toml").write_text(DECLARATION, encoding="utf-8")
    (root / "app.py").write_text(code, encoding="utf-8")
    config = {
        "repos": [{"repo": str(repo_path), "rev": rev, "hooks": [{"id": "emoscan"}, {"id": "emoscan-all"}]}]
    }
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git("add", "--all", cwd=root)
    return root


def run_pre_commit(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = _git_env()
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1")
    env.pop("PRE_COMMIT", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never", "--verbose"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def hook_status(output: str, name: str) -> str:
    match = re.search(rf"^{re.escape(name)}\.+(Passed|Failed)$", output, re.MULTILINE)
    assert match, f"no status line for {name!r} in:\n{output}"
    return match.group(1)


def test_manifest_is_valid_for_pre_commit() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_manifest_declares_both_hooks() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}
    assert set(hooks) == {"emoscan", "emoscan-all"}
    assert hooks["emoscan"]["entry"] == "emoscan scan"
    assert hooks["emoscan"]["language"] == "python"
    assert hooks["emoscan"].get("pass_filenames", True) is True
    assert hooks["emoscan-all"]["entry"] == "emoscan scan ."
    assert hooks["emoscan-all"]["pass_filenames"] is False
    assert hooks["emoscan-all"]["always_run"] is True


@pytest.mark.parametrize(
    "name",
    [
        "app.py",
        "src/pkg/module.py",
        "notebooks/explore.ipynb",
        "requirements.txt",
        "requirements-dev.txt",
        "pyproject.toml",
        "setup.cfg",
        "Pipfile",
        "Pipfile.lock",
        "environment.yml",
        "environment.yaml",
        "poetry.lock",
        "uv.lock",
        "models/config.json",
        "models/preprocessor_config.json",
        "models/labels.txt",
        "models/README.md",
        "model.safetensors.index.json",
        "emoscan.toml",
        *(f"models/m.{ext}" for ext in MODEL_EXTENSIONS),
    ],
)
def test_hook_files_pattern_matches_what_emoscan_analyses(name: str) -> None:
    pattern = re.compile(yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))[0]["files"])
    assert pattern.search(name)


@pytest.mark.parametrize(
    "name", ["notes.txt", "package.json", "tsconfig.json", "docs/index.md", "app.js", "image.png", "a.pyc"]
)
def test_hook_files_pattern_skips_other_files(name: str) -> None:
    pattern = re.compile(yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))[0]["files"])
    assert not pattern.search(name)


def test_hooks_fail_on_prohibited_use(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    project = make_project(tmp_path / "project", hook_repo, PROHIBITED)
    done = run_pre_commit(project, pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert hook_status(output, "emoscan (emotion recognition under the EU AI Act)") == "Failed"
    assert hook_status(output, "emoscan (whole repository)") == "Failed"
    assert "EMO001" in output
    assert "app.py" in output


def test_hooks_pass_after_inline_suppression(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    project = make_project(tmp_path / "project", hook_repo, SUPPRESSED)
    done = run_pre_commit(project, pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert hook_status(output, "emoscan (emotion recognition under the EU AI Act)") == "Passed"
    assert hook_status(output, "emoscan (whole repository)") == "Passed"
