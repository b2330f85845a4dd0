"""The indented JSON writer gives exactly the standard library's `json.dumps(value, indent=2)`."""

from __future__ import annotations

import enum
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.output import indented_json

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()  # any code point: lone surrogates, controls, quotes, backslashes, non-ASCII
)
KEYS = st.text() | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5) | st.tuples(inner, inner) | st.dictionaries(KEYS, inner, max_size=5)
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(DOCUMENTS, st.booleans())
def test_same_text_as_the_standard_library(document: Any, ensure_ascii: bool) -> None:
    expected = json.dumps(document, indent=2, ensure_ascii=ensure_ascii)
    assert indented_json.dumps(document, ensure_ascii=ensure_ascii) == expected


class Level(str, enum.Enum):
    WARNING = "warning"


class Strength(enum.IntEnum):
    DIRECT = 1


def test_subclasses_of_str_and_int_are_written_as_their_values() -> None:
    document = {"level": Level.WARNING, "strength": Strength.DIRECT, Level.WARNING: [math.inf, -0.0, 1e300]}
    assert indented_json.dumps(document) == json.dumps(document, indent=2)


def test_a_report_sized_document_matches() -> None:
    evidence = {
        "kind": "call",
        "summary": "DeepFace.analyze(actions=['emotion']) — élan",
        "line": 12,
        "labels": [],
    }
    document = {"results": [dict(evidence, line=n) for n in range(2000)], "empty": {}, "none": None}
    assert indented_json.dumps(document, ensure_ascii=False) == json.dumps(
        document, indent=2, ensure_ascii=False
    )


@pytest.mark.parametrize("value", [{1, 2}, b"bytes", object()])
def test_what_json_cannot_write_is_refused(value: object) -> None:
    with pytest.raises(TypeError):
        json.dumps({"x": value}, indent=2)
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented_json.dumps({"x": value})


def test_keys_json_cannot_write_are_refused() -> None:
    with pytest.raises(TypeError):
        indented_json.dumps({(1, 2): "tuple key"})
