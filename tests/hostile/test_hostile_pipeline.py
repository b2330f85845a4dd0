"""The whole pipeline on the hostile corpus (tests/hostile/hostile_corpus.py): scanner.api.scan in this
process, and the `emoscan` command in subprocesses for text, JSON and SARIF.

Every case must end as a notice naming its file and its specific problem, as evidence found in it, or
both; every notice must appear in all three formats (in SARIF as a toolExecutionNotification); nothing
scanned may run, be unpickled or be opened when it lies outside the scan; no traceback, and the exit
code follows the documented contract. The corpus is built at test time at `UNIT` sizes (just past each
bound); `EMOSCAN_HOSTILE_FULL=1` builds it at the issue's full sizes (the benchmark does that too).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hostile_corpus import ER_CODE, FULL, UNIT, Case, Corpus, build, unmet

from scanner import api
from scanner.api import scan
from scanner.config import Config
from scanner.findings import Notice, NoticeKind, ScanResult

REPO = Path(__file__).resolve().parents[2]
FULL_SIZE = os.environ.get("EMOSCAN_HOSTILE_FULL") == "1"
# Generous bounds for a loaded 2-core CI machine; the benchmark records the real figures.
MAX_SCAN_SECONDS = 120.0
MAX_PEAK_RSS_MB = 500
CLI_TIMEOUT = 300

# Audit events that mean something scanned was run, unpickled or spawned (sys.addaudithook; the hook
# stays for the rest of the session, so it records only while `_Audit.active`).
FORBIDDEN_EVENTS = frozenset(
    {"pickle.find_class", "os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn"}
)


class _Audit:
    active = False
    events: list[tuple[str, str]] = []  # noqa: RUF012 (shared by the hook and the tests on purpose)
    opened: list[str] = []  # noqa: RUF012
    installed = False

    @classmethod
    def hook(cls, event: str, args: tuple[Any, ...]) -> None:
        if not cls.active:
            return
        if event == "open" and args:
            cls.opened.append(os.fsdecode(args[0]) if isinstance(args[0], (str, bytes)) else str(args[0]))
        elif event in FORBIDDEN_EVENTS:
            cls.events.append((event, repr(args)[:200]))

    @classmethod
    def install(cls) -> None:
        if not cls.installed:
            sys.addaudithook(cls.hook)
            cls.installed = True


@dataclass
class ApiRun:
    result: ScanResult
    seconds: float
    events: list[tuple[str, str]]
    opened: list[str]


@dataclass
class CliRun:
    output: str
    stderr: str
    returncode: int
    peak_rss_mb: float | None = None


# Runs a command and records the peak RSS of its largest process (the command or a worker of its
# pool), from the kernel's accounting of waited-for children, in a parent that does nothing else.
MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[2:]).returncode\n"
    "open(sys.argv[1], 'w').write(f'{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {code}')\n"
    "sys.exit(code)\n"
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build(tmp_path_factory.mktemp("hostile") / "corpus", FULL if FULL_SIZE else UNIT)


@pytest.fixture(scope="module")
def api_run(corpus: Corpus) -> ApiRun:
    """One in-process scan (one process: the audit hook sees every analyzer)."""
    _Audit.install()
    _Audit.events.clear()
    _Audit.opened.clear()
    _Audit.active = True
    started = time.perf_counter()
    try:
        result = scan([corpus.root], Config(use_cache=False, jobs=1), base=corpus.root)
    finally:
        _Audit.active = False
    return ApiRun(result, time.perf_counter() - started, list(_Audit.events), list(_Audit.opened))


def emoscan(args: list[str], cwd: Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EMOSCAN_NO_CACHE": "1", "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="strict",  # an output that is not UTF-8 fails the test
        timeout=CLI_TIMEOUT,
        check=False,
        **kwargs,
    )


@pytest.fixture(scope="module")
def cli_runs(corpus: Corpus) -> dict[str, CliRun]:
    """The command on the whole corpus, once per format, the three runs side by side; the JSON run
    also measures peak memory."""
    env = {**os.environ, "EMOSCAN_NO_CACHE": "1", "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    out = corpus.root.parent
    peak = out / "peak.txt"
    running = {}
    for fmt in ("text", "json", "sarif"):
        target = out / f"report.{fmt}"
        command = [sys.executable, "-m", "scanner", "scan", ".", "--format", fmt, "--output", str(target)]
        if fmt == "json":
            command = [sys.executable, "-c", MEASURE, str(peak), *command]
        process = subprocess.Popen(command, cwd=corpus.root, env=env, stderr=subprocess.PIPE, text=True)
        running[fmt] = (process, target)
    runs = {}
    for fmt, (process, target) in running.items():
        _, stderr = process.communicate(timeout=CLI_TIMEOUT)
        runs[fmt] = CliRun(target.read_text(encoding="utf-8"), stderr, process.returncode)
    runs["json"].peak_rss_mb = int(peak.read_text().split()[0]) / 1024
    return runs


def _matching(notices: tuple[Notice, ...], case: Case) -> list[Notice]:
    return [n for n in notices if (n.path.startswith(case.path) if case.prefix else n.path == case.path)]


def _notice_ok(notice: Notice, case: Case) -> bool:
    expect = case.notice
    assert expect is not None
    return (
        notice.kind is expect.kind
        and expect.text in notice.message
        and (expect.fatal is None or notice.fatal is expect.fatal)
    )


def _cases(corpus: Corpus, *, notice: bool = False, findings: bool = False) -> Iterator[Case]:
    for case in corpus.cases:
        if (notice and case.notice is not None) or (findings and case.findings):
            yield case


# --- the API ------------------------------------------------------------------------------------------


def test_corpus_covers_every_class_of_the_issue(corpus: Corpus) -> None:
    groups = {case.group for case in corpus.cases}
    assert groups >= {"archives", "filesystem", "python", "notebooks", "models", "configs"}
    assert len(corpus.cases) >= 60
    for case in corpus.cases:
        assert case.notice is not None or case.findings, f"{case.name}: expects neither a notice nor evidence"


def test_every_case_is_a_notice_naming_the_problem_or_evidence(corpus: Corpus, api_run: ApiRun) -> None:
    result = api_run.result
    notices = [(n.path, n.kind.value, n.message, n.fatal) for n in result.notices]
    evidence_paths = {e.location.path for e in result.evidence}
    problems = [p for case in corpus.cases if (p := unmet(case, notices, evidence_paths)) is not None]
    assert not problems, "\n".join(problems)


def test_no_internal_errors(api_run: ApiRun) -> None:
    internal = [n for n in api_run.result.notices if "internal error" in n.message]
    assert not internal, internal


def test_scan_stays_within_its_time_bound(api_run: ApiRun) -> None:
    assert api_run.seconds < MAX_SCAN_SECONDS, f"the hostile corpus took {api_run.seconds:.1f} s"


def test_nothing_scanned_is_run_unpickled_or_spawned(corpus: Corpus, api_run: ApiRun) -> None:
    assert not api_run.events, api_run.events
    for canary in corpus.canaries:
        assert not canary.exists(), f"{canary.name} exists: a scanned pickle ran"


def test_paths_outside_the_scan_are_never_opened(corpus: Corpus, api_run: ApiRun) -> None:
    untouchable = {name for case in corpus.cases for name in case.never_touched}
    assert untouchable >= {"external-canary.bin", "outside-secret.py", "/etc/shadow"}
    opened = [path for path in api_run.opened if any(path.endswith(name) for name in untouchable)]
    assert not opened, opened
    # Nothing is ever extracted: the climbing tar member wrote nothing beside the corpus.
    climbed = [
        corpus.root / "archives" / "escape.py",
        corpus.root / "escape.py",
        corpus.root.parent / "escape.py",
    ]
    assert not [path for path in climbed if path.exists()]
    assert not Path("/etc/cron.d/evil.py").exists()


def test_folder_links_inside_the_root_are_walked_once(api_run: ApiRun) -> None:
    """fs/loop-dir -> .. points back into the root: not followed, so nothing is scanned twice."""
    assert not any("loop-dir" in e.location.path for e in api_run.result.evidence)
    keys = [(r.rule_id, r.location.path, r.location.line) for r in api_run.result.results]
    assert len(keys) == len(set(keys))


# --- the command: text, JSON, SARIF ---------------------------------------------------------------


def test_no_traceback_and_exit_code_per_contract(cli_runs: dict[str, CliRun]) -> None:
    for fmt, run in cli_runs.items():
        assert "Traceback" not in run.stderr, f"{fmt}: {run.stderr[-3000:]}"
        # The corpus declares a deployment with wrong types (cfg/decl/emoscan.toml): EMO008 wins, exit 2.
        assert run.returncode == 2, f"{fmt}: exit {run.returncode}: {run.stderr[-2000:]}"
        assert "EMO008" in run.stderr or "declarations have errors" in run.stderr


def test_every_notice_is_in_the_text_report(
    corpus: Corpus, api_run: ApiRun, cli_runs: dict[str, CliRun]
) -> None:
    lines = set(cli_runs["text"].output.splitlines())
    problems = []
    for case in _cases(corpus, notice=True):
        wanted = [n for n in _matching(api_run.result.notices, case) if _notice_ok(n, case)]
        shown = [
            f"  {n.path}{f':{n.line}' if n.line else ''}: {'error' if n.fatal else 'warning'}: {n.message}"
            for n in wanted
        ]
        if not shown or not all(line in lines for line in shown):
            problems.append(f"{case.name}: {shown or case.notice} is not in the text report")
    assert not problems, "\n".join(problems)
    assert "\x1b" not in cli_runs["text"].output, "a file name forged an escape sequence in the text report"


def test_every_notice_is_in_the_json_report(corpus: Corpus, cli_runs: dict[str, CliRun]) -> None:
    document = json.loads(cli_runs["json"].output)
    notices = [
        Notice(n["path"], NoticeKind(n["kind"]), n["message"], n["fatal"], n["line"])
        for n in document["notices"]
    ]
    missing = [
        case.name
        for case in _cases(corpus, notice=True)
        if not any(_notice_ok(n, case) for n in _matching(tuple(notices), case))
    ]
    assert not missing, missing
    assert document["summary"]["execution_successful"] is False


def test_every_notice_is_a_sarif_tool_execution_notification(
    corpus: Corpus, cli_runs: dict[str, CliRun]
) -> None:
    log = json.loads(cli_runs["sarif"].output)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notifications = invocation["toolExecutionNotifications"]
    problems = []
    for case in _cases(corpus, notice=True):
        assert case.notice is not None
        level = {True: "error", False: "warning", None: None}[case.notice.fatal]
        hits = [
            n
            for n in notifications
            if n["descriptor"]["id"] == case.notice.kind.value
            and case.notice.text in n["message"]["text"]
            and n["message"]["text"].startswith(case.path)
            and (level is None or n["level"] == level)
        ]
        if not hits:
            problems.append(f"{case.name}: no toolExecutionNotification for {case.path}")
        for hit in hits:
            uri = hit["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            if not uri or uri.startswith("/"):
                problems.append(f"{case.name}: notification location {uri!r} is not relative")
    assert not problems, "\n".join(problems)


def test_the_command_finds_what_the_api_finds(api_run: ApiRun, cli_runs: dict[str, CliRun]) -> None:
    document = json.loads(cli_runs["json"].output)
    cli_paths = {r["location"]["path"] for r in document["results"]}
    api_paths = {r.location.path for r in api_run.result.results}
    assert cli_paths == api_paths
    assert "py/bom.py" in cli_paths and "fs/caf\\xe9-\\xff.py" in cli_paths


def test_peak_memory_of_a_full_scan(cli_runs: dict[str, CliRun]) -> None:
    peak = cli_runs["json"].peak_rss_mb
    assert peak is not None and peak < MAX_PEAK_RSS_MB, f"peak RSS {peak:.0f} MB"


# --- exit codes under --strict, and what only a live process can show ---------------------------------


def test_strict_fails_when_a_file_could_not_be_scanned(corpus: Corpus) -> None:
    target = "models/onnx/not-protobuf.onnx"
    plain = emoscan(["scan", target], corpus.root)
    assert plain.returncode == 0, plain.stderr
    assert "not an ONNX model" in plain.stdout
    strict = emoscan(["scan", "--strict", target], corpus.root)
    assert strict.returncode == 1, strict.stderr
    assert "1 file could not be scanned (--strict)" in strict.stderr
    assert "Traceback" not in strict.stderr
    zero = emoscan(["scan", "--strict", "--exit-zero", target], corpus.root)
    assert zero.returncode == 0


def test_strict_ignores_notices_that_lose_nothing(tmp_path: Path, corpus: Corpus) -> None:
    """A FIFO met while walking and a link that is not followed are warnings: nothing was lost."""
    os.mkfifo(tmp_path / "pipe.py")
    os.symlink(corpus.root, tmp_path / "elsewhere")
    (tmp_path / "notes.txt").write_text("nothing to see\n", encoding="utf-8")
    strict = emoscan(["scan", "--strict", "."], tmp_path)
    assert "not a regular file" in strict.stdout
    assert "outside the scanned folder" in strict.stdout
    assert strict.returncode == 0, strict.stdout + strict.stderr


def test_a_device_named_on_the_command_line_is_never_read() -> None:
    for device in ("/dev/zero", "/dev/urandom"):
        run = emoscan(["scan", "--strict", device], REPO)
        assert "not a regular file (FIFO, socket or device); skipped" in run.stdout
        assert run.returncode == 3, run.stderr  # nothing could be scanned
        assert "Traceback" not in run.stderr


def test_file_deleted_while_scanning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files found by discovery and gone before their analyzer reads them: a source, a model, an
    archive whose members were listed."""
    from hostile_corpus import _onnx_model, zip_of

    (tmp_path / "app.py").write_text(ER_CODE, encoding="utf-8")
    (tmp_path / "model.onnx").write_bytes(_onnx_model(["angry", "happy"]))
    (tmp_path / "bundle.zip").write_bytes(zip_of({"pkg/app.py": ER_CODE.encode()}))
    real_collect = api.collect

    def collect_then_delete(*args: Any, **kwargs: Any) -> api.Inputs:
        inputs = real_collect(*args, **kwargs)
        for name in ("app.py", "model.onnx", "bundle.zip"):
            (tmp_path / name).unlink()
        return inputs

    monkeypatch.setattr(api, "collect", collect_then_delete)
    result = scan([tmp_path], Config(use_cache=False, jobs=1), base=tmp_path)
    by_path = {n.path: n for n in result.notices}
    for path in ("app.py", "model.onnx", "bundle.zip!/pkg/app.py"):
        assert path in by_path, (path, result.notices)
        notice = by_path[path]
        assert notice.kind is NoticeKind.READ_ERROR and notice.fatal
        assert "No such file or directory" in notice.message, notice
    assert not result.results


def test_unreadable_files_and_folders() -> None:
    """Mode 000 files and folders. Root reads anything, so as root the command drops to an
    unprivileged user after importing what it needs (the interpreter under /root is not readable
    by that user)."""
    base = Path(tempfile.mkdtemp(prefix="emoscan-unreadable-", dir="/tmp"))
    try:
        base.chmod(0o755)
        (base / "ok.py").write_text(ER_CODE, encoding="utf-8")
        (base / "locked.py").write_text(ER_CODE, encoding="utf-8")
        (base / "locked.py").chmod(0)
        (base / "sealed").mkdir()
        (base / "sealed" / "inner.py").write_text(ER_CODE, encoding="utf-8")
        (base / "sealed").chmod(0)
        if os.geteuid() == 0:
            run = _scan_as_nobody(base)
        else:
            run = emoscan(["scan", "--format", "json", "--strict", "."], base)
        assert "Traceback" not in run.stderr, run.stderr
        document = json.loads(run.stdout)
        notices = {n["path"]: n for n in document["notices"]}
        assert "Permission denied" in notices["locked.py"]["message"], notices
        assert notices["locked.py"]["fatal"] is True
        assert "cannot list folder: Permission denied" in notices["sealed"]["message"], notices
        assert run.returncode == 1  # results in ok.py, and --strict
        assert {r["location"]["path"] for r in document["results"]} == {"ok.py"}
    finally:
        (base / "sealed").chmod(0o755)
        (base / "locked.py").chmod(0o644)
        import shutil

        shutil.rmtree(base, ignore_errors=True)


_AS_NOBODY = """
import os, pkgutil, importlib, sys
import scanner, scanner.analyzers, scanner.output
for package in (scanner, scanner.analyzers, scanner.output):
    for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
import libcst, libcst.metadata, json, tomllib, concurrent.futures, multiprocessing, encodings.idna
import difflib  # click imports it while parsing a short option (-j)
from scanner.signatures import load_catalog
load_catalog()
os.setgroups([])
os.setgid(65534)
os.setuid(65534)
from scanner.cli import main
sys.argv = ["emoscan", "scan", "--format", "json", "--strict", "-j", "1", "--no-cache", "."]
main()
"""


def _scan_as_nobody(base: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HOME": str(base), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-c", _AS_NOBODY],
        cwd=base,
        env=env,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
