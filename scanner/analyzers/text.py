"""Shared helpers for text artifacts: decoding with BOMs and legacy encodings, and size limits."""

from __future__ import annotations

import ast
import codecs
import warnings

from scanner.discovery import Artifact
from scanner.findings import Notice, NoticeKind

# Text inputs larger than this are skipped with a notice: generated files of this size are not
# where emotion recognition is written, and parsing them would cost seconds.
MAX_TEXT_BYTES = 8 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def parse_python(text: str) -> ast.Module:
    """CPython's syntax tree of scanned source (raises as `ast.parse`). What the compiler warns about
    in that source (invalid escape sequences, `is` with a literal) is not emoscan's to print, and must
    not become an error under `python -W error`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text)


class TextError(Exception):
    def __init__(self, notice: Notice) -> None:
        super().__init__(notice.message)
        self.notice = notice


def read_bytes(artifact: Artifact, limit: int = MAX_TEXT_BYTES) -> bytes:
    if artifact.size > limit:
        raise TextError(
            Notice(
                artifact.path,
                NoticeKind.TOO_LARGE,
                f"file is {artifact.size:,} bytes, over the {limit:,}-byte limit for text files; skipped",
            )
        )
    try:
        return artifact.read(limit + 1)[: limit + 1]
    except OSError as exc:
        raise TextError(
            Notice(artifact.path, NoticeKind.READ_ERROR, f"cannot read file: {exc.strerror or exc}")
        ) from exc


def decode(data: bytes, path: str, strict: bool = True) -> str:
    """Decode by BOM, else UTF-8. With `strict`, invalid UTF-8 is a DecodeError notice naming the
    offset; without it, config files fall back to Latin-1 (dependency files in old encodings)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise TextError(
                    Notice(path, NoticeKind.DECODE_ERROR, f"invalid {encoding} text at byte {exc.start}")
                ) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if strict:
            line = data.count(b"\n", 0, exc.start) + 1
            raise TextError(
                Notice(
                    path,
                    NoticeKind.DECODE_ERROR,
                    f"not valid UTF-8 at byte {exc.start} (line {line})",
                )
            ) from exc
        return data.decode("latin-1")


def looks_binary(data: bytes) -> bool:
    """NUL bytes in the first block: a binary file, whatever its name says."""
    return b"\x00" in data[:8192]
