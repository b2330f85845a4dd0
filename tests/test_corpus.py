"""The accuracy corpus passes: every case in tests/corpus gives exactly its expected results (rule, path,
line and, where stated, confidence), and the corpus keeps its size and spread (see corpus_cases.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from corpus_cases import CATEGORIES, CORPUS, Case, Outcome, by_confidence, load_cases, overall, run_case

CASES = load_cases()
_OUTCOMES: dict[str, Outcome] = {}


def outcome_of(case: Case, workdir: Path) -> Outcome:
    if case.id not in _OUTCOMES:
        _OUTCOMES[case.id] = run_case(case, workdir)
    return _OUTCOMES[case.id]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus")


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=pytest.mark.xfail(reason=c.known_gap, strict=True)) if c.known_gap else c
        for c in CASES
    ],
    ids=[c.id for c in CASES],
)
def test_case_gives_exactly_its_expected_results(case: Case, workdir: Path) -> None:
    outcome = outcome_of(case, workdir)
    got = sorted((hit.rule, hit.path, hit.line, level) for hit, level in outcome.hits)
    want = sorted((e.hit.rule, e.hit.path, e.hit.line, e.confidence) for e in case.expected)
    # Compare confidence only where the case states one.
    stated = {(r, p, n) for r, p, n, c in want if c is not None}
    got_cmp = sorted((r, p, n, c if (r, p, n) in stated else None) for r, p, n, c in got)
    assert got_cmp == want, case.title
    assert not outcome.fatal_notices


def test_corpus_holds_no_pytest_files() -> None:
    """The corpus is scanned, never run: a test_*.py or conftest.py in it would be collected by pytest
    (and a conftest.py would shadow tests/conftest.py)."""
    names = ("test_*.py", "*_test.py", "conftest.py")
    assert not [p for name in names for p in CORPUS.rglob(name)]


def test_corpus_size_and_spread() -> None:
    positives = [c for c in CASES if c.positive]
    negatives = [c for c in CASES if not c.positive]
    assert len(positives) >= 60 and len(negatives) >= 40
    per_category = Counter(c.category for c in positives)
    for category in (
        "face",
        "voice",
        "physiological",
        "behavioural",
        "text",
        "cloud",
        "model-config",
        "model-file",
    ):
        assert per_category[category] >= 2, category
    assert set(per_category) <= set(CATEGORIES)


def test_accuracy_targets_hold(workdir: Path) -> None:
    outcomes = [outcome_of(case, workdir) for case in CASES]
    total = overall(outcomes)
    assert total.recall >= 0.95 and total.precision >= 0.95
    high = by_confidence(outcomes).get("high")
    assert high is not None and high.precision >= 0.95
