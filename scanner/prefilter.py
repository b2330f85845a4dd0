"""A byte-level prefilter built from the catalogue: only files that contain one of its distinctive
tokens (import names, emotion-specific API and field names, model ids, dataset names, quoted emotion
labels, the word "emotion") are parsed.

Tokens are the catalogue's own names, not everyday words: a loose prefilter ("happy", "affect")
matches comments everywhere and costs a full parse per file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scanner.findings import Capability
from scanner.signatures import Catalog

# Label words shorter than this are too common as quoted strings to trigger a parse on their own.
_MIN_LABEL_TOKEN = 3


def trie_pattern(words: Iterable[str]) -> str:
    """A regular expression equivalent to the alternation of `words`, shaped as a trie so the regex
    engine does not retry every word at every position (4x faster than a flat alternation)."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in sorted(set(words)):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _emit(trie)


def _emit(node: dict) -> str:  # type: ignore[type-arg]
    branches = []
    optional = False
    for char, child in sorted(node.items()):
        if char == "":
            optional = True
            continue
        branches.append(re.escape(char) + _emit(child))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if optional:
        body = ("(?:" + body + ")?") if len(branches) == 1 and len(body) > 1 else body + "?"
    return body


def _case_variants(word: str) -> set[str]:
    return {word, word.lower(), word.upper(), word.capitalize()}


def identifier_tokens(catalog: Catalog) -> set[str]:
    tokens: set[str] = set()
    for package in catalog.packages:
        if package.capability is Capability.BIOMETRIC_INPUT:
            continue  # enablers alone never make a finding
        tokens.update(imp.split(".")[0] for imp in package.imports)
    for call in catalog.calls:
        for target in call.targets:
            if target.startswith("."):
                tokens.add(target[1:])
            else:
                tokens.add(target.split(".")[0])
    tokens.update(catalog.field_by_name)
    return {t for t in tokens if t.isidentifier()}


def literal_tokens(catalog: Catalog) -> set[str]:
    tokens: set[str] = set()
    for hub_id in catalog.model_by_hub_id:
        tokens.add(hub_id.split("/")[-1])
    for dataset in catalog.datasets:
        tokens.update(name for name in dataset.names if len(name) >= 4)
    return tokens


def label_tokens(catalog: Catalog) -> set[str]:
    words: set[str] = set()
    for vocab in catalog.vocabularies:
        if vocab.capability is Capability.EXPRESSION:
            continue
        for word in vocab.words:
            if len(word) >= _MIN_LABEL_TOKEN and not any(c in word for c in "\"'\\"):
                words.update(_case_variants(word))
    return words


_BUILT: dict[int, tuple[Catalog, re.Pattern[bytes]]] = {}


def build(catalog: Catalog) -> re.Pattern[bytes]:
    """The compiled prefilter for `catalog`, built once per catalogue object (hashing a Catalog would
    walk every entry, so the cache is keyed by identity and keeps the catalogue alive)."""
    cached = _BUILT.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return cached[1]
    pattern = _compile(catalog)
    _BUILT[id(catalog)] = (catalog, pattern)
    return pattern


def _compile(catalog: Catalog) -> re.Pattern[bytes]:
    identifiers = trie_pattern(identifier_tokens(catalog))
    literals = trie_pattern(_variants(literal_tokens(catalog)))
    labels = trie_pattern(label_tokens(catalog))
    parts = [
        rf"\b{identifiers}\b",
        literals,
        rf"[\"']{labels}[\"']",
        "[Ee][Mm][Oo][Tt][Ii][Oo][Nn]",
    ]
    return re.compile("|".join(f"(?:{p})" for p in parts if p).encode("utf-8"))


def _variants(words: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for word in words:
        out.update(_case_variants(word))
    return out


def matches(catalog: Catalog, data: bytes) -> bool:
    return build(catalog).search(data) is not None
