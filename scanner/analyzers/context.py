"""The context a source file shows without parsing it: speech synthesis or music, where emotion words
are a style input or a song's mood, not a person's state. Read from the file's path, its import lines
and the names it calls; kept apart from the Python analyzer so the repository pass can ask it without
loading libcst."""

from __future__ import annotations

import re

from scanner.signatures import Catalog, ContextSignature

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")


def words_of(text: str) -> list[str]:
    """The words of a path or identifier in order, as written: separators, underscores, dots, digits
    and case changes split them ('InferenceTTS_v2' -> ['Inference', 'TTS', 'v'])."""
    return _WORD.findall(text)


def path_tokens(path: str) -> set[str]:
    """Lower-case words of a path ('tts/InferenceTTS_v2.py' -> {'tts', 'inference', 'v', 'py'})."""
    return {t.casefold() for t in words_of(path)}


_IMPORTED_MODULE = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import|import[ \t]+([\w.]+))", re.MULTILINE)
_CALLED_NAME = re.compile(r"\b([A-Za-z_]\w*)[ \t]*\(")


def context_of_text(catalog: Catalog, path: str, text: str) -> ContextSignature | None:
    """The speech-synthesis or music context of a source file, read from its path, import lines and
    called names without parsing it (the repository pass asks this of files it links to)."""
    if not catalog.contexts:
        return None
    for token in path_tokens(path):
        if token in catalog.context_path_tokens:
            return catalog.context_path_tokens[token]
    for match in _IMPORTED_MODULE.finditer(text):
        parts = (match.group(1) or match.group(2)).split(".")
        for end in range(len(parts), 0, -1):
            found = catalog.context_imports.get(".".join(parts[:end]))
            if found is not None:
                return found
    for match in _CALLED_NAME.finditer(text):
        found = catalog.context_calls.get(match.group(1))
        if found is not None:
            return found
    return None
