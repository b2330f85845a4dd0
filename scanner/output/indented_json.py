"""`json.dumps(value, indent=2)`, byte for byte, in half the time.

The standard library encodes with its C accelerator only without `indent`; with it, every value
passes through a chain of Python generators, which was the largest cost of a warm-cache scan of a
large tree (0.3 s of 1.8 s for an 8 MB report). Reports are kept indented so people can read and
diff them; this writer builds the same text with one recursive function, leaving strings to the C
encoders. A test compares it with `json.dumps` on generated documents.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

INDENT = 2


def dumps(value: Any, *, ensure_ascii: bool = True) -> str:
    """The text of `json.dumps(value, indent=2, ensure_ascii=ensure_ascii)` for values made of dicts
    with string keys, lists, tuples, strings, ints, floats, booleans and None."""
    parts: list[str] = []
    _write(value, parts.append, encode_basestring_ascii if ensure_ascii else encode_basestring, "\n")
    return "".join(parts)


def _write(value: Any, emit: Callable[[str], None], string: Callable[[str], str], newline: str) -> None:
    kind = type(value)
    if kind is str:
        emit(string(value))
    elif kind is dict:
        if not value:
            emit("{}")
            return
        inner = newline + " " * INDENT
        separator = "{" + inner
        for key, item in value.items():
            emit(separator)
            emit(string(key if type(key) is str else _key(key)))
            emit(": ")
            _write(item, emit, string, inner)
            separator = "," + inner
        emit(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            emit("[]")
            return
        inner = newline + " " * INDENT
        separator = "[" + inner
        for item in value:
            emit(separator)
            _write(item, emit, string, inner)
            separator = "," + inner
        emit(newline + "]")
    elif value is None:
        emit("null")
    elif value is True:
        emit("true")
    elif value is False:
        emit("false")
    elif kind is int:
        emit(int.__repr__(value))
    elif kind is float:
        emit(json.dumps(value))  # the standard library's spelling of floats, NaN and infinities included
    elif isinstance(value, str):  # subclasses (string enums) as the standard library writes them
        emit(string(str.__str__(value)))
    elif isinstance(value, int):
        emit(int.__repr__(value))
    elif isinstance(value, float):
        emit(json.dumps(float(value)))
    elif isinstance(value, dict):
        _write(dict(value), emit, string, newline)
    elif isinstance(value, (list, tuple)):
        _write(list(value), emit, string, newline)
    else:
        raise TypeError(f"Object of type {kind.__name__} is not JSON serializable")


def _key(key: Any) -> str:
    """A dict key that is not a string, as the standard library turns it into one."""
    if isinstance(key, str):
        return str.__str__(key)
    if key is True or key is False or key is None or isinstance(key, (int, float)):
        return json.dumps(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
