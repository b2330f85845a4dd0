"""Every fuzzing seed and every input the fuzzer ever broke a target with (benchmarks/fuzz-seeds/<target>/
crash-*) goes through its target again: a crash once found stays fixed.

The targets are those of benchmarks/fuzz.py: the model analyzers (whose `analyze()` must never raise and
never report an internal error) and the archive reader (listing never raises; reading a member raises
only OSError). Each input must also finish within the fuzzer's hang bound.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import fuzz  # noqa: E402  (benchmarks/ is not a package)

INPUTS = [(name, path) for name in fuzz.TARGETS for path in fuzz.corpus_files(name)]


@pytest.fixture(scope="module")
def runners() -> Iterator[dict[str, fuzz.Runner]]:
    from scanner.analyzers import keras_model

    made = {name: fuzz.Runner(target) for name, target in fuzz.TARGETS.items()}
    with pytest.MonkeyPatch.context() as patch:
        # The HDF5 input that makes libhdf5 spin must end at the reader's time bound: 1 s here.
        patch.setattr(keras_model, "HDF5_SECONDS", 1.0)
        yield made
    for runner in made.values():
        shutil.rmtree(runner.workdir, ignore_errors=True)


def test_every_target_has_seeds_under_the_size_bound() -> None:
    for name in fuzz.TARGETS:
        seeds = [p for p in fuzz.corpus_files(name) if p.name.startswith("seed-")]
        assert seeds, f"no seeds for {name}: run python benchmarks/fuzz.py seeds"
        for path in seeds:
            assert path.stat().st_size <= fuzz.MAX_SEED_BYTES, path


@pytest.mark.parametrize(("target", "path"), INPUTS, ids=[f"{n}/{p.name}" for n, p in INPUTS])
def test_input_runs_through_its_target(target: str, path: Path, runners: dict[str, fuzz.Runner]) -> None:
    runners[target](path.read_bytes())


def test_a_broken_contract_is_caught(
    runners: dict[str, fuzz.Runner], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The harness itself: an analyzer that raises, or reports an internal error, fails the input."""
    from scanner.analyzers import gguf_model
    from scanner.findings import FileOutcome, Notice, NoticeKind

    def raises(*_args: object) -> FileOutcome:
        raise ValueError("boom")

    monkeypatch.setattr(gguf_model, "analyze", raises)
    with pytest.raises(ValueError, match="boom"):
        runners["gguf"](b"GGUF")

    def internal(artifact: object, _catalog: object) -> FileOutcome:
        return FileOutcome(notices=(Notice("x", NoticeKind.PARSE_ERROR, "internal error while analysing"),))

    monkeypatch.setattr(gguf_model, "analyze", internal)
    with pytest.raises(fuzz.FuzzFailure):
        runners["gguf"](b"GGUF")


def test_mutations_stay_bytes_and_change_the_seed() -> None:
    seed = bytes(range(64))
    assert fuzz.mutate(seed, []) == seed
    assert fuzz.mutate(seed, [(0, 3, b"")]) != seed
    assert fuzz.mutate(seed, [(4, 10, b"")]) == seed[:10]
    assert len(fuzz.mutate(seed, [(2, 5, b"abc")])) == 67


def test_a_looping_hdf5_file_is_stopped_at_its_bound(runners: dict[str, fuzz.Runner]) -> None:
    """The fuzzer's HDF5 input on which libhdf5 never returns: read in a child process that is killed
    at the bound, and reported."""
    from scanner.analyzers import keras_model
    from scanner.discovery import Artifact, ArtifactKind

    looping = fuzz.SEEDS / "hdf5" / "crash-21066cb7bea245ec"
    artifact = Artifact(looping.name, looping, ArtifactKind.HDF5, looping.stat().st_size)
    outcome = keras_model.analyze(artifact, runners["hdf5"].catalog)
    assert [n.message for n in outcome.notices] == [
        "reading the HDF5 metadata took over 1 s (a malformed file can make the HDF5 library loop); stopped"
    ]
