"""Analysis in a process pool: identical results whatever the number of workers or a warm cache, the
catalogue sent once per worker, the prefilter settling ordinary files in the parent, and a scan that
completes when a worker dies."""

from __future__ import annotations

import importlib.util
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scanner import api, parallel
from scanner.analyzers import analyzer_for
from scanner.config import Config
from scanner.discovery import Artifact, ArtifactKind
from scanner.findings import FileOutcome, ScanResult
from scanner.output.json_report import render_json
from scanner.signatures import Catalog, load_catalog

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "shop-assistant"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tree from the benchmark's generator: emotion modules, notebooks and plain modules."""
    spec = importlib.util.spec_from_file_location("bench_corpus", REPO / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    corpus = importlib.util.module_from_spec(spec)
    sys.modules["bench_corpus"] = corpus
    spec.loader.exec_module(corpus)
    root: Path = tmp_path_factory.mktemp("generated") / "tree"
    corpus.generate(root, files=20, seed=11)
    return root


@pytest.fixture
def always_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start a pool whatever the amount of work, so small trees exercise it."""
    monkeypatch.setattr(parallel, "POOL_THRESHOLD_SECONDS", 0.0)


def scan(root: Path, **settings: object) -> ScanResult:
    return api.scan([root], Config(**settings), base=root)  # type: ignore[arg-type]


def same(a: ScanResult, b: ScanResult) -> None:
    assert render_json(a) == render_json(b)
    assert (a.results, a.components, a.evidence, a.notices) == (
        b.results,
        b.components,
        b.evidence,
        b.notices,
    )


@pytest.mark.parametrize("tree", ["example", "generated"])
@pytest.mark.usefixtures("always_pool")
def test_results_are_identical_with_one_or_two_workers_and_a_warm_cache(
    tree: str, generated: Path, tmp_path: Path
) -> None:
    root = EXAMPLE if tree == "example" else generated
    one = scan(root, jobs=1)
    two = scan(root, jobs=2)
    cold = scan(root, jobs=2, use_cache=True, cache_dir=tmp_path)
    warm = scan(root, jobs=2, use_cache=True, cache_dir=tmp_path)
    warm_one = scan(root, jobs=1, use_cache=True, cache_dir=tmp_path)
    assert one.results and one.evidence
    for other in (two, cold, warm, warm_one):
        same(one, other)


@pytest.mark.usefixtures("always_pool")
def test_the_pool_is_used_and_the_catalogue_is_not_pickled_per_task(
    generated: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    artifacts = list(api.collect([generated], Config(), generated).artifacts)
    sequential = parallel.analyze_all(artifacts, catalog, api.analyze_artifact, jobs=1)
    if parallel._context() is not None:
        # Under fork the initializer's arguments are inherited: pickling a Catalog at all is a bug.
        def refuse(self: Catalog, protocol: object) -> object:
            raise AssertionError("the catalogue was pickled")

        monkeypatch.setattr(Catalog, "__reduce_ex__", refuse, raising=False)
    pooled = parallel.analyze_all(artifacts, catalog, api.analyze_artifact, jobs=2)
    assert pooled.stats.workers == 2 and sequential.stats.workers == 0
    assert pooled.outcomes == sequential.outcomes
    assert pooled.stats.analysed > 10 and pooled.stats.prescreened > 0, pooled.stats


def test_artifacts_pickle(generated: Path) -> None:
    artifacts = list(api.collect([generated, EXAMPLE], Config(), REPO).artifacts)
    assert pickle.loads(pickle.dumps(artifacts)) == artifacts


def test_a_pool_starts_only_for_enough_work() -> None:
    assert parallel._workers(None, 1, 100.0) == 0
    assert parallel._workers(None, 500, parallel.POOL_THRESHOLD_SECONDS / 2) == 0
    assert parallel._workers(1, 500, 100.0) == 0
    assert parallel._workers(2, 500, 100.0) == 2
    assert parallel._workers(8, 3, 100.0) == 3
    assert parallel._workers(None, 500, 100.0) == min(parallel.available_cores(), 500) or (
        parallel.available_cores() == 1
    )
    big = Artifact("big.py", Path("big.py"), ArtifactKind.PYTHON, 400_000)
    assert parallel.estimate_seconds(big) > parallel.POOL_THRESHOLD_SECONDS


def test_the_prescreen_agrees_with_the_analyzers(catalog: Catalog, generated: Path) -> None:
    """Whenever the parent settles a file without its analyzer, the analyzer would have returned
    nothing: same read, same binary check, same prefilter."""
    artifacts = list(api.collect([generated, EXAMPLE, REPO / "scanner"], Config(), REPO).artifacts)
    rejected = 0
    for artifact in artifacts:
        if artifact.kind not in parallel.PRESCREENED:
            continue
        data = parallel._read(artifact)
        if data is not None and parallel._prescreen_rejects(artifact.kind, data, catalog):
            rejected += 1
            analyze = analyzer_for(artifact.kind)
            assert analyze is not None
            assert analyze(artifact, catalog) == FileOutcome(), artifact.path
    assert rejected > 10


def test_binary_and_oversized_sources_still_get_their_notice(tmp_path: Path) -> None:
    (tmp_path / "blob.py").write_bytes(b"\x00\x01" * 100)
    result = scan(tmp_path, jobs=1)
    assert [n.path for n in result.notices] == ["blob.py"]


def test_a_tree_without_catalogue_tokens_never_imports_libcst(tmp_path: Path) -> None:
    for index in range(30):
        (tmp_path / f"m{index}.py").write_text(
            f"def f{index}(x):\n    return x + {index}\n", encoding="utf-8"
        )
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from scanner import parallel
        from scanner.discovery import DiscoveryOptions, discover
        from scanner.signatures import load_catalog

        def fail(artifact, catalog):
            raise AssertionError("no analyzer should run")

        root = Path({str(tmp_path)!r})
        found = discover([root], DiscoveryOptions(), root)
        analysis = parallel.analyze_all(found.artifacts, load_catalog(), fail)
        assert analysis.stats.prescreened == 30, analysis.stats
        print("libcst" in sys.modules, "concurrent.futures" in sys.modules)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def _dies_in_a_worker(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    if artifact.path == os.environ["EMOSCAN_TEST_VICTIM"] and os.getpid() != int(
        os.environ["EMOSCAN_TEST_PARENT"]
    ):
        os._exit(3)  # a worker killed mid-file (out of memory, a native crash)
    return api.analyze_artifact(artifact, catalog)


@pytest.mark.usefixtures("always_pool")
def test_a_dead_worker_does_not_lose_files(
    generated: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMOSCAN_TEST_PARENT", str(os.getpid()))
    artifacts = list(api.collect([generated], Config(), generated).artifacts)
    monkeypatch.setenv("EMOSCAN_TEST_VICTIM", next(a.path for a in artifacts if "emotion_" in a.path))
    expected = parallel.analyze_all(artifacts, catalog, api.analyze_artifact, jobs=1).outcomes
    survived = parallel.analyze_all(artifacts, catalog, _dies_in_a_worker, jobs=2)
    assert survived.outcomes == expected


def test_cli_jobs_option_gives_the_same_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from scanner.cli import main

    project = tmp_path / "shop"
    shutil.copytree(EXAMPLE, project)
    monkeypatch.chdir(project)
    monkeypatch.setattr(parallel, "POOL_THRESHOLD_SECONDS", 0.0)
    runner = CliRunner()
    outputs = [
        runner.invoke(main, ["scan", ".", "--format", "json", "--no-cache", "--jobs", jobs]).output
        for jobs in ("1", "2")
    ]
    assert outputs[0] == outputs[1] and '"EMO001"' in outputs[0]


def test_only_emoscan_s_own_processes_parse_without_libcst_validation(tmp_path: Path) -> None:
    """A program that calls scanner.api keeps libcst's validation; the command line and pool workers
    (processes that only analyse) turn it off, which is measured in benchmarks/results.md."""
    (tmp_path / "mood.py").write_text("from fer import FER\nFER().detect_emotions(frame)\n", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        import libcst
        from scanner import analyzers, parallel
        from scanner.api import scan
        from scanner.config import Config

        hook = libcst.CSTNode.__dict__["__post_init__"]
        result = scan([Path({str(tmp_path)!r})], Config(use_cache=False))
        assert [r.rule_id for r in result.results], result
        print(libcst.CSTNode.__dict__["__post_init__"] is hook)
        parallel._init_worker(None, None)
        result = scan([Path({str(tmp_path)!r})], Config(use_cache=False))
        print(libcst.CSTNode.__dict__["__post_init__"] is hook)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False"]


def test_the_garbage_collector_waits_for_each_file_in_emoscan_s_own_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from scanner import analyzers, api

    seen: list[bool] = []

    def recording(artifact: Artifact, catalog: Catalog) -> FileOutcome:
        seen.append(gc.isenabled())
        if artifact.path.endswith("bad.py"):
            raise ValueError("analyzer bug")
        return FileOutcome()

    monkeypatch.setattr(api, "analyzer_for", lambda kind: recording)
    good = Artifact("good.py", tmp_path / "good.py", ArtifactKind.PYTHON, 1)
    bad = Artifact("bad.py", tmp_path / "bad.py", ArtifactKind.PYTHON, 1)
    assert gc.isenabled()
    api.analyze_artifact(good, None)  # type: ignore[arg-type]
    assert seen == [True]  # a program calling scanner.api keeps its collector running
    analyzers.own_process()  # (tests/conftest.py puts it back)
    api.analyze_artifact(good, None)  # type: ignore[arg-type]
    outcome = api.analyze_artifact(bad, None)  # type: ignore[arg-type]
    assert seen == [True, False, False]
    assert "internal error while analysing (ValueError: analyzer bug)" in outcome.notices[0].message
    assert gc.isenabled()  # back on after each file, also after an analyzer's exception
