"""The folder walk: which files it yields under .gitignore files, virtual environments and vendored
folders (the walk reads both from each folder's listing instead of probing every folder)."""

from __future__ import annotations

from pathlib import Path

from scanner.discovery import DiscoveryOptions, discover


def tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def found(root: Path, **options: bool) -> list[str]:
    return [a.path for a in discover([root], DiscoveryOptions(**options), root).artifacts]


def test_gitignore_files_apply_to_their_folder_and_below(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            ".gitignore": "build/\n*.log\n",
            "app.py": "",
            "run.log": "",
            "build/out.py": "",
            "pkg/.gitignore": "generated_*.py\n!generated_keep.py\n",
            "pkg/generated_a.py": "",
            "pkg/generated_keep.py": "",
            "pkg/mod.py": "",
            "other/generated_a.py": "",
        },
    )
    assert found(tmp_path) == [
        ".gitignore",
        "app.py",
        "other/generated_a.py",
        "pkg/.gitignore",
        "pkg/generated_keep.py",
        "pkg/mod.py",
    ]
    assert "build/out.py" in found(tmp_path, respect_gitignore=False)


def test_a_gitignore_folder_is_not_read_as_rules(tmp_path: Path) -> None:
    tree(tmp_path, {".gitignore/x": "", "app.py": ""})
    assert "app.py" in found(tmp_path)


def test_virtual_environments_are_skipped_by_their_marker_unless_asked(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "app.py": "",
            "env-3.11/pyvenv.cfg": "home = /usr/bin\n",
            "env-3.11/lib/site.py": "",
            "node_modules/pkg/index.py": "",
            "notes/pyvenv.cfg/readme.txt": "",  # a folder named like the marker is no venv
        },
    )
    assert found(tmp_path) == ["app.py", "notes/pyvenv.cfg/readme.txt"]
    assert "env-3.11/lib/site.py" in found(tmp_path, include_vendored=True)
    assert "node_modules/pkg/index.py" in found(tmp_path, include_vendored=True)


def test_a_virtual_environment_given_as_the_root_is_walked(tmp_path: Path) -> None:
    tree(tmp_path, {"pyvenv.cfg": "", "lib/site.py": ""})
    assert found(tmp_path) == ["lib/site.py", "pyvenv.cfg"]
