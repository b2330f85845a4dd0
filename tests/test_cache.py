"""The content-hash cache: what it keys on, what it survives (corruption, concurrent runs, its size
bound), where it lives, and that declarations still decide verdicts when every outcome is cached."""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner import api, cache
from scanner.cli import main
from scanner.config import Config
from scanner.discovery import Artifact, ArtifactKind
from scanner.findings import (
    Capability,
    Evidence,
    EvidenceKind,
    FileOutcome,
    Location,
    Modality,
    Notice,
    NoticeKind,
    Strength,
)
from scanner.parallel import analyze_all
from scanner.signatures import Catalog, load_catalog

FACE = "from fer import FER\n\n\ndef moods(frame):\n    return FER().detect_emotions(frame)\n"

OUTCOME = FileOutcome(
    evidence=(
        Evidence(
            kind=EvidenceKind.CALL,
            signature_id="call.fer.detect_emotions",
            location=Location("app.py", 5, 12, 5, 40),
            summary="FER.detect_emotions: “facial” emotion scores",
            modality=Modality.FACE,
            capability=Capability.EMOTION,
            strength=Strength.DIRECT,
            package="fer",
            labels=("happy", "sad"),
            dormant=True,
        ),
        Evidence(
            kind=EvidenceKind.MODEL_FILE,
            signature_id="model_file.x",
            location=Location("m.onnx", logical="metadata_props.labels"),
            summary="s",
            modality=Modality.UNKNOWN,
            capability=Capability.EMOTION,
            strength=Strength.ARTIFACT,
        ),
    ),
    notices=(
        Notice("app.py", NoticeKind.PARSE_ERROR, "syntax error", fatal=False, line=3),
        Notice("b.py", NoticeKind.TOO_LARGE, "big"),
    ),
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def artifacts_of(root: Path) -> list[Artifact]:
    return list(api.collect([root], Config(), root).artifacts)


def opened(directory: Path, max_entries: int = cache.DEFAULT_MAX_ENTRIES) -> cache.OutcomeCache:
    store = cache.OutcomeCache.open(directory, max_entries)
    assert store is not None
    return store


# --- codec -------------------------------------------------------------------------------------------


def test_outcomes_round_trip_exactly() -> None:
    assert cache.decode_value(cache.encode_value(OUTCOME), FileOutcome) == OUTCOME
    assert cache.decode_value(cache.encode_value(FileOutcome()), FileOutcome) == FileOutcome()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[",
        "{}",
        "[[], []",
        "[[[1]], []]",
        '[[], [["a.py", "no-such-kind", "m", true, null]]]',
        "[[], [], []]",
    ],
)
def test_entries_of_the_wrong_shape_do_not_decode(text: str) -> None:
    with pytest.raises((ValueError, TypeError, KeyError, IndexError)):
        cache.decode_value(text, FileOutcome)


# --- keys --------------------------------------------------------------------------------------------


def test_the_key_follows_content_kind_path_catalogue_and_tool(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    artifact = Artifact("app.py", tmp_path / "app.py", ArtifactKind.PYTHON, 3)
    abc, abd = hashlib.sha256(b"abc").digest(), hashlib.sha256(b"abd").digest()
    run = cache.run_fingerprint(catalog)
    key = cache.entry_key(run, artifact, abc)
    assert key == cache.entry_key(run, artifact, abc)
    assert key != cache.entry_key(run, artifact, abd)
    assert key != cache.entry_key(run, Artifact("app.py", artifact.fs_path, ArtifactKind.NOTEBOOK, 3), abc)
    assert key != cache.entry_key(run, Artifact("lib/app.py", artifact.fs_path, ArtifactKind.PYTHON, 3), abc)
    edited = load_catalog.__wrapped__()  # a fresh object with the same content
    assert cache.run_fingerprint(edited) == run
    bumped = dataclasses.replace(catalog, version=catalog.version + ".1")
    assert cache.entry_key(cache.run_fingerprint(bumped), artifact, abc) != key
    # Same version, different content: an edited catalogue that nobody re-versioned.
    trimmed = dataclasses.replace(catalog, calls=catalog.calls[1:])
    assert cache.entry_key(cache.run_fingerprint(trimmed), artifact, abc) != key
    monkeypatch.setattr(cache, "__version__", "99.0")
    cache.tool_fingerprint.cache_clear()
    try:
        assert cache.entry_key(cache.run_fingerprint(catalog), artifact, abc) != key
    finally:
        cache.tool_fingerprint.cache_clear()


def test_model_files_and_model_configs_are_not_cached() -> None:
    # Header-only reads (no content hash) and sibling files (config.json reads its neighbours).
    for kind in (ArtifactKind.ONNX, ArtifactKind.SAFETENSORS, ArtifactKind.PICKLE, ArtifactKind.MODEL_CONFIG):
        assert kind not in cache.CACHEABLE_KINDS
    assert ArtifactKind.PYTHON in cache.CACHEABLE_KINDS


# --- the store ---------------------------------------------------------------------------------------


def test_store_and_read_back(tmp_path: Path) -> None:
    with opened(tmp_path) as store:
        store.put_many({b"k1": OUTCOME, b"k2": FileOutcome()})
    with opened(tmp_path) as store:
        assert store.get_many([b"k1", b"k2", b"k3"]) == {b"k1": OUTCOME, b"k2": FileOutcome()}
        assert (store.hits, store.misses) == (2, 1)


def test_a_file_that_is_not_a_database_is_replaced(tmp_path: Path) -> None:
    (tmp_path / cache.FILE_NAME).write_bytes(b"this is not SQLite" * 100)
    with opened(tmp_path) as store:
        store.put_many({b"k": OUTCOME})
        assert store.get_many([b"k"]) == {b"k": OUTCOME}


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    with opened(tmp_path) as store:
        store.put_many({b"k": OUTCOME})
    with sqlite3.connect(tmp_path / cache.FILE_NAME) as connection:
        connection.execute("UPDATE outcomes SET value = '[[\"garbage\"]]'")
    with opened(tmp_path) as store:
        assert store.get_many([b"k"]) == {}


def test_the_size_is_bounded_least_recently_used_first(tmp_path: Path) -> None:
    with opened(tmp_path, max_entries=10) as store:
        with store.connection:  # type: ignore[union-attr]
            store.connection.executemany(  # type: ignore[union-attr]
                "INSERT INTO outcomes VALUES (?, ?, ?)",
                [(f"old{i}".encode(), cache.encode_value(FileOutcome()), i) for i in range(10)],
            )
        store.put_many({b"new": OUTCOME})
        (count,) = store.connection.execute("SELECT count(*) FROM outcomes").fetchone()  # type: ignore[union-attr]
        assert count <= 10
        assert store.get_many([b"new"]) == {b"new": OUTCOME}
        assert store.get_many([b"old0"]) == {}


ROUNDS = 8


def _writer(directory: str, worker: int) -> None:
    for round_ in range(ROUNDS):
        with opened(Path(directory)) as store:
            store.put_many({f"{worker}-{round_}-{i}".encode(): OUTCOME for i in range(25)})
            store.get_many([f"{(worker + 1) % 4}-{round_}-0".encode()])


def test_concurrent_runs_never_see_half_an_entry(tmp_path: Path) -> None:
    # fork where there is one: the test is about SQLite, not about start-up (no connection is open here).
    fork = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork") if fork else multiprocessing.get_context("spawn")
    processes = [context.Process(target=_writer, args=(str(tmp_path), w)) for w in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    with opened(tmp_path) as store:
        keys = [f"{w}-{r}-{i}".encode() for w in range(4) for r in range(ROUNDS) for i in range(25)]
        found = store.get_many(keys)
        # A writer that waits too long for the lock skips writing; whatever was written is whole.
        assert len(found) >= len(keys) * 0.9
        assert all(outcome == OUTCOME for outcome in found.values())


# --- in the pipeline ---------------------------------------------------------------------------------


def test_a_warm_run_reads_every_unchanged_file_from_the_cache(tmp_path: Path, catalog: Catalog) -> None:
    project, store = tmp_path / "project", tmp_path / "cache"
    write(project, {"app.py": FACE, "plain.py": "x = 1\n", "requirements.txt": "fer==22.5.1\n"})
    artifacts = artifacts_of(project)
    cold = analyze_all(artifacts, catalog, api.analyze_artifact, use_cache=True, cache_dir=store)
    warm = analyze_all(artifacts, catalog, api.analyze_artifact, use_cache=True, cache_dir=store)
    assert warm.outcomes == cold.outcomes
    assert (cold.stats.cached, warm.stats.cached, warm.stats.analysed) == (0, 3, 0)
    (project / "app.py").write_text(FACE.replace("moods", "feelings"), encoding="utf-8")
    edited = analyze_all(
        artifacts_of(project), catalog, api.analyze_artifact, use_cache=True, cache_dir=store
    )
    assert (edited.stats.cached, edited.stats.analysed) == (2, 1)


def test_declarations_decide_the_verdict_of_cached_outcomes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, store = tmp_path / "project", tmp_path / "cache"
    write(project, {"app.py": FACE})
    calls: list[str] = []
    real = api.analyze_artifact

    def counting(artifact: Artifact, catalog: Catalog) -> FileOutcome:
        calls.append(artifact.path)
        return real(artifact, catalog)

    monkeypatch.setattr(api, "analyze_artifact", counting)

    def verdict(context: str, subjects: tuple[str, ...]) -> list[str]:
        config = Config(context=context, subjects=subjects, use_cache=True, cache_dir=store)
        return [r.rule_id for r in api.scan([project], config, base=project).results]

    assert "EMO001" in verdict("workplace", ("employees",))
    assert calls == ["app.py"]
    customers = verdict("customer-service", ("customers",))
    assert "EMO003" in customers and "EMO001" not in customers
    assert calls == ["app.py"]  # the second verdict came from the cached evidence


def test_library_scans_do_not_write_a_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    write(tmp_path / "project", {"app.py": FACE})
    api.scan([tmp_path / "project"], Config(), base=tmp_path / "project")
    assert not (tmp_path / "xdg").exists()


def test_cli_cache_location_and_switch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    write(project, {"app.py": FACE})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("EMOSCAN_CACHE_DIR", raising=False)
    monkeypatch.delenv("EMOSCAN_NO_CACHE", raising=False)
    runner = CliRunner()
    monkeypatch.chdir(project)

    runner.invoke(main, ["scan", ".", "--no-cache", "--exit-zero"])
    assert not (tmp_path / "xdg").exists()
    first = runner.invoke(main, ["scan", ".", "--exit-zero", "--format", "json"])
    assert (tmp_path / "xdg" / "emoscan" / cache.FILE_NAME).is_file()
    second = runner.invoke(main, ["scan", ".", "--exit-zero", "--format", "json"])
    assert first.output == second.output and '"EMO004"' in first.output
    runner.invoke(main, ["scan", ".", "--exit-zero", "--cache-dir", str(tmp_path / "elsewhere")])
    assert (tmp_path / "elsewhere" / cache.FILE_NAME).is_file()
    assert not any(p.name.startswith("outcomes") for p in project.rglob("*"))
    assert runner.invoke(main, ["scan", ".", "--jobs", "0"]).exit_code == 2


def test_the_catalogue_fingerprint_is_the_same_in_every_process() -> None:
    """A set in the catalogue would make its repr depend on string hashing, which differs per run."""
    script = "from scanner import cache; from scanner.signatures import load_catalog; print(cache.catalog_fingerprint(load_catalog()))"
    prints = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(prints) == 1


MOOD_MODULE = """\
import numpy as np

MOODS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]


def mood(face, model):
    return MOODS[int(np.argmax(model.predict(face)))]
"""


# A kiosk project with an old emotion module that nothing imports (its evidence is dormant: low).
KIOSK = {
    "app.py": "import helpers\nhelpers.run()\n",
    "helpers.py": "def run():\n    print('kiosk')\n",
    "old/mood_detector.py": MOOD_MODULE,
    "docs/notes.md": "The kiosk prints a greeting.\n",
}


def mood_confidence(project: Path, config: Config) -> str:
    """The confidence of the one EMO004 result a scan of a KIOSK project gives."""
    result = api.scan([project], config, base=project)
    (hit,) = [r for r in result.results if r.rule_id == "EMO004"]
    assert hit.component is not None
    return hit.component.confidence.value


def test_the_repository_pass_is_cached_until_a_file_it_reads_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    write(project, KIOSK)
    config = Config(use_cache=True, cache_dir=tmp_path / "cache")

    def confidence() -> str:
        return mood_confidence(project, config)

    assert confidence() == "low"  # nothing refers to old/mood_detector.py: dormant

    from scanner.analyzers import tree

    real_pass = tree.repository_pass
    with monkeypatch.context() as patched:
        patched.setattr(api, "repository_pass", lambda *args: pytest.fail("not taken from the cache"))
        assert confidence() == "low"

    # A document that names the module is read by the pass (a referring file): the cached pass is
    # stale, and the module is in use after all.
    calls: list[int] = []

    def counting(*args: object) -> tree.RepositoryOutcome:
        calls.append(1)
        return real_pass(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "repository_pass", counting)
    (project / "docs" / "notes.md").write_text("Run `python -m old.mood_detector` for the demo.\n")
    assert confidence() == "medium"
    assert calls == [1]


def test_the_repository_pass_key_takes_the_analysis_digests_of_code_it_read(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key is the same whether the pass reads the code itself or takes the digests the outcome
    cache took; an edited code file still makes the cached pass stale."""
    from scanner.analyzers import tree

    project = tmp_path / "project"
    notebook = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    write(project, {**KIOSK, "notebook.ipynb": notebook})
    artifacts = artifacts_of(project)
    analysis = analyze_all(artifacts, catalog, api.analyze_artifact, use_cache=True, cache_dir=tmp_path / "c")
    assert {"app.py", "helpers.py", "old/mood_detector.py", "notebook.ipynb"} <= set(analysis.digests)
    evidence = [e for outcome in analysis.outcomes for e in outcome.evidence]
    assert tree.inputs_digest(artifacts, evidence, {}, analysis.digests) == tree.inputs_digest(
        artifacts, evidence, {}
    )

    config = Config(use_cache=True, cache_dir=tmp_path / "cache")

    def confidence() -> str:
        return mood_confidence(project, config)

    assert confidence() == "low"  # nothing imports old/mood_detector.py: dormant
    reads: list[str] = []
    real_read = Artifact.read

    def counting_read(self: Artifact, limit: int | None = None) -> bytes:
        reads.append(self.path)
        return real_read(self, limit)

    with monkeypatch.context() as patched:
        patched.setattr(Artifact, "read", counting_read)
        assert confidence() == "low"
    assert reads.count("app.py") == 1  # read for the outcome cache's key, not again for the pass's
    (project / "app.py").write_text("import helpers\nimport old.mood_detector\nhelpers.run()\n")
    assert confidence() == "medium"  # the edited code made the cached pass stale
