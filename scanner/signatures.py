"""Load and validate the signature catalogue in `signatures/` into a frozen, indexed Catalog.

Every fact about libraries, calls, model ids, label vocabularies, datasets and biometric inputs lives in
the TOML files; this module only knows their shape (SCHEMA below). A malformed entry is a
CatalogError naming the file, the entry and the field.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.findings import Capability, Modality, Strength

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


class CatalogError(Exception):
    """The catalogue on disk does not match its schema."""


# --- schema ---------------------------------------------------------------------------------------
# One table per kind of fact. Each field: (type, required). Types: "str", "int", "bool", "strs"
# (list of strings), "modality", "capability", "table" (inline table checked by its own spec).

MODALITIES = {m.value for m in Modality}
CAPABILITIES = {c.value for c in Capability}

FieldSpec = tuple[str, bool]

ARGUMENT_SPEC: dict[str, FieldSpec] = {
    "name": ("str", False),
    "position": ("int", False),
    "any_of": ("strs", True),
    "default_matches": ("bool", True),
}

SCHEMA: dict[str, dict[str, FieldSpec]] = {
    "package": {
        "id": ("str", True),
        "name": ("str", True),
        "imports": ("strs", True),
        "modality": ("modality", True),
        "capability": ("capability", True),
        "dedicated": ("bool", True),
        "summary": ("str", True),
        "aliases": ("strs", False),
        "source": ("str", False),
    },
    "call": {
        "id": ("str", True),
        "package": ("str", False),
        "targets": ("strs", True),
        "modality": ("modality", True),
        "capability": ("capability", True),
        "strength": ("int", True),
        "summary": ("str", True),
        "argument": ("table", False),
        "attribute": ("str", False),
        "source": ("str", False),
    },
    "model": {
        "id": ("str", True),
        "hub_ids": ("strs", True),
        "modality": ("modality", True),
        "capability": ("capability", True),
        "summary": ("str", True),
        "labels": ("strs", False),
        "source": ("str", False),
    },
    "vocabulary": {
        "id": ("str", True),
        "capability": ("capability", True),
        "modality": ("modality", False),
        "language": ("str", True),
        "words": ("strs", True),
        "min_match": ("int", True),
        "summary": ("str", True),
        "source": ("str", False),
    },
    "dataset": {
        "id": ("str", True),
        "names": ("strs", True),
        "modality": ("modality", True),
        "capability": ("capability", True),
        "summary": ("str", True),
        "file_patterns": ("strs", False),
        "source": ("str", False),
    },
    "input": {
        "id": ("str", True),
        "targets": ("strs", True),
        "modality": ("modality", True),
        "summary": ("str", True),
        "package": ("str", False),
        "source": ("str", False),
    },
    "field": {
        "id": ("str", True),
        "names": ("strs", True),
        "modality": ("modality", True),
        "capability": ("capability", True),
        "summary": ("str", True),
        "package": ("str", False),
        "source": ("str", False),
    },
    "model_file": {
        "id": ("str", True),
        "pattern": ("str", True),
        "modality": ("modality", True),
        "capability": ("capability", True),
        "summary": ("str", True),
        "source": ("str", False),
    },
    # Code whose purpose is not to read people: speech synthesis, music analysis. Emotion words there are
    # a style input or a song's mood, so label lists and datasets in it are not emotion recognition.
    "context": {
        "id": ("str", True),
        "kind": ("str", True),
        "summary": ("str", True),
        "imports": ("strs", False),
        "calls": ("strs", False),
        "path_tokens": ("strs", False),
        "label_words": ("strs", False),
        "config_keys": ("strs", False),
        "overridden_by": ("strs", False),
        "source": ("str", False),
    },
}

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_+-]*)+$")


# --- frozen catalogue entries ---------------------------------------------------------------------


@dataclass(frozen=True)
class Package:
    id: str
    name: str
    imports: tuple[str, ...]
    modality: Modality
    capability: Capability
    dedicated: bool
    summary: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArgumentCondition:
    """The call is emotion-specific only when this argument holds one of `any_of`; when the argument
    is absent, `default_matches` tells whether the library's default does."""

    name: str | None
    position: int | None
    any_of: tuple[str, ...]
    default_matches: bool


@dataclass(frozen=True)
class CallSignature:
    id: str
    targets: tuple[str, ...]
    modality: Modality
    capability: Capability
    strength: Strength
    summary: str
    package: str | None = None
    argument: ArgumentCondition | None = None
    # For sensitive categorisation: which Art. 5(1)(g) attribute the call infers.
    attribute: str | None = None


@dataclass(frozen=True)
class ModelSignature:
    id: str
    hub_ids: tuple[str, ...]
    modality: Modality
    capability: Capability
    summary: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    id: str
    capability: Capability
    modality: Modality | None
    language: str
    words: tuple[str, ...]
    min_match: int
    summary: str


@dataclass(frozen=True)
class DatasetSignature:
    id: str
    names: tuple[str, ...]
    modality: Modality
    capability: Capability
    summary: str
    file_patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class InputSignature:
    id: str
    targets: tuple[str, ...]
    modality: Modality
    summary: str
    package: str | None = None


@dataclass(frozen=True)
class FieldSignature:
    id: str
    names: tuple[str, ...]
    modality: Modality
    capability: Capability
    summary: str
    package: str | None = None


@dataclass(frozen=True)
class ModelFileSignature:
    id: str
    pattern: str
    modality: Modality
    capability: Capability
    summary: str


@dataclass(frozen=True)
class ContextSignature:
    """Marks of code that uses emotion words without reading a person (speech synthesis, music mood):
    module prefixes it imports, functions it calls, words in its path."""

    id: str
    kind: str
    summary: str
    imports: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    path_tokens: tuple[str, ...] = ()
    # Words that make a label list this context's own (a music mood tag set, TTS speaking styles): two
    # of them in one list.
    label_words: tuple[str, ...] = ()
    # Keys of a YAML or JSON config that make it this context's (a TTS config's `vocoder`).
    config_keys: tuple[str, ...] = ()
    # Input signatures that show a live person is captured (a microphone), which the context does not
    # explain away; face, physiological and behavioural inputs always do.
    overridden_by: tuple[str, ...] = ()


# What label comparison ignores between the letters of a word.
WORD_SEPARATORS = re.compile(r"[\s_\-<>|/]+")


def normalise_word(word: str) -> str:
    """Label comparison key: case- and separator-insensitive ("Happy", "HAPPY", "<|HAPPY|>")."""
    return WORD_SEPARATORS.sub("", word.casefold())


@dataclass(frozen=True)
class Catalog:
    version: str
    packages: tuple[Package, ...]
    calls: tuple[CallSignature, ...]
    models: tuple[ModelSignature, ...]
    vocabularies: tuple[Vocabulary, ...]
    datasets: tuple[DatasetSignature, ...]
    inputs: tuple[InputSignature, ...]
    fields: tuple[FieldSignature, ...]
    model_files: tuple[ModelFileSignature, ...]
    contexts: tuple[ContextSignature, ...] = ()

    # --- indexes, built once ---
    @functools.cached_property
    def package_by_import(self) -> Mapping[str, Package]:
        return {imp: p for p in self.packages for imp in p.imports}

    @functools.cached_property
    def package_by_name(self) -> Mapping[str, Package]:
        """PyPI distribution names (normalised per PEP 503) and aliases."""
        index: dict[str, Package] = {}
        for p in self.packages:
            for name in (p.name, *p.aliases):
                index[normalise_dist(name)] = p
        return index

    @functools.cached_property
    def calls_by_target(self) -> Mapping[str, tuple[CallSignature, ...]]:
        return _group((t, c) for c in self.calls for t in c.targets if not t.startswith("."))

    @functools.cached_property
    def calls_by_method(self) -> Mapping[str, tuple[CallSignature, ...]]:
        """Signatures that match a method name on any receiver (e.g. `.detect_faces`); they always
        carry an argument condition, which is what makes them specific."""
        return _group((t[1:], c) for c in self.calls for t in c.targets if t.startswith("."))

    @functools.cached_property
    def inputs_by_target(self) -> Mapping[str, tuple[InputSignature, ...]]:
        return _group((t, i) for i in self.inputs for t in i.targets)

    @functools.cached_property
    def model_by_hub_id(self) -> Mapping[str, ModelSignature]:
        return {h.casefold(): m for m in self.models for h in m.hub_ids}

    @functools.cached_property
    def field_by_name(self) -> Mapping[str, FieldSignature]:
        return {n: f for f in self.fields for n in f.names}

    @functools.cached_property
    def dataset_by_name(self) -> Mapping[str, DatasetSignature]:
        return {normalise_word(n): d for d in self.datasets for n in d.names}

    @functools.cached_property
    def vocab_words(self) -> Mapping[str, tuple[Vocabulary, ...]]:
        return _group((normalise_word(w), v) for v in self.vocabularies for w in v.words)

    @functools.cached_property
    def model_file_regex(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{m.pattern})" for m in self.model_files), re.IGNORECASE)

    @functools.cached_property
    def context_path_tokens(self) -> Mapping[str, ContextSignature]:
        return {t.casefold(): c for c in self.contexts for t in c.path_tokens}

    @functools.cached_property
    def context_calls(self) -> Mapping[str, ContextSignature]:
        return {t: c for c in self.contexts for t in c.calls}

    @functools.cached_property
    def context_imports(self) -> Mapping[str, ContextSignature]:
        return {t: c for c in self.contexts for t in c.imports}

    @functools.cached_property
    def context_label_words(self) -> Mapping[str, ContextSignature]:
        return {normalise_word(t): c for c in self.contexts for t in c.label_words}

    @functools.cached_property
    def context_config_keys(self) -> Mapping[str, ContextSignature]:
        return {t.casefold(): c for c in self.contexts for t in c.config_keys}

    @functools.cached_property
    def dataset_file_regexes(self) -> tuple[tuple[re.Pattern[str], DatasetSignature], ...]:
        return tuple((re.compile(p), d) for d in self.datasets for p in d.file_patterns)

    @functools.cached_property
    def dataset_file_extensions(self) -> frozenset[str] | None:
        """The extensions (lower case) that dataset file patterns end with (`\\.csv$`,
        `\\.(?:wav|mp4)$`, `\\.tiff?$`): a file name with any other extension matches none of them.
        None when a pattern does not end with a literal extension."""
        found: set[str] = set()
        for dataset in self.datasets:
            for pattern in dataset.file_patterns:
                tail = re.search(r"\\\.(?:\(\?:)?([A-Za-z0-9|?]+?)\)?\$$", pattern)
                if tail is None:
                    return None
                for option in tail.group(1).split("|"):
                    if not re.fullmatch(r"[A-Za-z0-9]+\??", option):
                        return None
                    word = option.rstrip("?").lower()
                    found.add(word)
                    if option.endswith("?"):
                        found.add(word[:-1])
        return frozenset(found)

    @functools.cached_property
    def _dataset_file_regex(self) -> re.Pattern[str] | None:
        """All dataset file patterns as one expression, each in a named group, so one match tells
        whether any pattern finds the name and `lastgroup` which one (the first, in catalogue order).
        Patterns anchored with `^` are tried at the start; others anywhere, as `search` would."""
        patterns = [p.pattern for p, _ in self.dataset_file_regexes]
        anchored = [p if p.startswith("^") else f".*?(?:{p})" for p in patterns]
        return re.compile("|".join(f"(?P<d{i}>{p})" for i, p in enumerate(anchored))) if patterns else None

    def dataset_for_file_name(self, name: str) -> DatasetSignature | None:
        """The dataset whose file pattern finds `name` (a file's base name), or None."""
        regex = self._dataset_file_regex
        hit = regex.match(name) if regex is not None else None
        if hit is None or hit.lastgroup is None:
            return None
        return self.dataset_file_regexes[int(hit.lastgroup[1:])][1]

    def counts(self) -> dict[str, int]:
        return {
            "packages": len(self.packages),
            "calls": len(self.calls),
            "models": len(self.models),
            "vocabularies": len(self.vocabularies),
            "datasets": len(self.datasets),
            "inputs": len(self.inputs),
            "fields": len(self.fields),
            "model_files": len(self.model_files),
            "contexts": len(self.contexts),
        }


def normalise_dist(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _group(pairs: Iterable[tuple[str, Any]]) -> dict[str, tuple[Any, ...]]:
    grouped: dict[str, list[Any]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return {k: tuple(v) for k, v in grouped.items()}


# --- loading --------------------------------------------------------------------------------------


def catalog_dir() -> Path:
    """Where the catalogue lives: inside the installed package, else beside the checkout."""
    package = Path(__file__).resolve().parent
    # A wheel installs the folder as scanner/signatures_data; a checkout (or an editable install)
    # has it beside the package.
    for candidate in (package / "signatures_data", package.parent / "signatures"):
        if (candidate / "catalog.toml").is_file():
            return candidate
    raise CatalogError("signature catalogue not found: neither the installed package nor the checkout has it")


@functools.lru_cache(maxsize=4)
def load_catalog(directory: Path | None = None) -> Catalog:
    """The catalogue in `directory` (default: the one shipped with the tool), validated.

    Parsing and validating the TOML is most of a small scan's start-up (60-100 ms), so the folder also
    holds `compiled.json`: the validated entries, with a digest of the TOML files they came from. It is
    used when the digest matches; any edit to the TOML makes it stale and the TOML is read instead
    (tests/test_catalog_json.py keeps the shipped one current)."""
    root = directory or catalog_dir()
    try:
        compiled = json.loads((root / COMPILED_NAME).read_bytes())
        if compiled["digest"] == toml_digest(root):
            return _catalog(compiled["version"], compiled["entries"])
    except Exception:  # missing, stale or damaged: the TOML is the source of truth
        pass
    return _catalog(*_validated_entries(root))


COMPILED_NAME = "compiled.json"


def toml_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def compiled_json(root: Path) -> str:
    """The text of `compiled.json` for the catalogue in `root` (validated from its TOML)."""
    version, entries = _validated_entries(root)
    document = {"digest": toml_digest(root), "version": version, "entries": entries}
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _validated_entries(root: Path) -> tuple[str, dict[str, list[dict[str, Any]]]]:
    header = _read_toml(root / "catalog.toml")
    version = header.get("version")
    if not isinstance(version, str) or not version:
        raise CatalogError(f"{root / 'catalog.toml'}: 'version' must be a non-empty string")
    entries: dict[str, list[dict[str, Any]]] = {kind: [] for kind in SCHEMA}
    seen_ids: dict[str, Path] = {}
    for path in sorted(root.glob("*.toml")):
        if path.name == "catalog.toml":
            continue
        data = _read_toml(path)
        for kind, items in data.items():
            if kind not in SCHEMA:
                raise CatalogError(f"{path}: unknown table [[{kind}]]; expected one of {sorted(SCHEMA)}")
            if not isinstance(items, list):
                raise CatalogError(f"{path}: '{kind}' must be an array of tables ([[{kind}]])")
            for index, item in enumerate(items):
                where = f"{path}: [[{kind}]] #{index + 1}"
                _validate(item, SCHEMA[kind], where)
                entry_id = item["id"]
                where = f"{path}: [[{kind}]] id={entry_id!r}"
                if not ID_PATTERN.match(entry_id):
                    raise CatalogError(f"{where}: id must be dotted lowercase like 'call.deepface.analyze'")
                if entry_id in seen_ids:
                    raise CatalogError(f"{where}: duplicate id, first defined in {seen_ids[entry_id]}")
                seen_ids[entry_id] = path
                _check_semantics(kind, item, where)
                entries[kind].append(item)
    return version, entries


def _catalog(version: str, entries: dict[str, list[dict[str, Any]]]) -> Catalog:
    return Catalog(
        version=version,
        packages=tuple(_package(e) for e in entries["package"]),
        calls=tuple(_call(e) for e in entries["call"]),
        models=tuple(_model(e) for e in entries["model"]),
        vocabularies=tuple(_vocabulary(e) for e in entries["vocabulary"]),
        datasets=tuple(_dataset(e) for e in entries["dataset"]),
        inputs=tuple(_input(e) for e in entries["input"]),
        fields=tuple(_field(e) for e in entries["field"]),
        model_files=tuple(_model_file(e) for e in entries["model_file"]),
        contexts=tuple(_context(e) for e in entries["context"]),
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
            return data
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: invalid TOML: {exc}") from exc


_TYPE_CHECKS = {
    "str": lambda v: isinstance(v, str) and bool(v),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "strs": lambda v: isinstance(v, list) and bool(v) and all(isinstance(s, str) and s for s in v),
    "modality": lambda v: v in MODALITIES,
    "capability": lambda v: v in CAPABILITIES,
    "table": lambda v: isinstance(v, dict),
}

_TYPE_NAMES = {
    "str": "a non-empty string",
    "int": "an integer",
    "bool": "true or false",
    "strs": "a non-empty list of non-empty strings",
    "modality": f"one of {sorted(MODALITIES)}",
    "capability": f"one of {sorted(CAPABILITIES)}",
    "table": "an inline table",
}


def _validate(item: Any, spec: dict[str, FieldSpec], where: str) -> None:
    if not isinstance(item, dict):
        raise CatalogError(f"{where}: must be a table")
    for key in item:
        if key not in spec:
            raise CatalogError(f"{where}: unknown field {key!r}; allowed: {', '.join(sorted(spec))}")
    for key, (kind, required) in spec.items():
        if key not in item:
            if required:
                raise CatalogError(f"{where}: missing required field {key!r}")
            continue
        if not _TYPE_CHECKS[kind](item[key]):
            raise CatalogError(f"{where}: field {key!r} must be {_TYPE_NAMES[kind]}, got {item[key]!r}")


def _check_semantics(kind: str, item: dict[str, Any], where: str) -> None:
    if kind == "call":
        if item["strength"] not in {s.value for s in Strength}:
            raise CatalogError(f"{where}: strength must be 1-4, got {item['strength']!r}")
        argument = item.get("argument")
        if argument is not None:
            _validate(argument, ARGUMENT_SPEC, f"{where} argument")
            if "name" not in argument and "position" not in argument:
                raise CatalogError(f"{where} argument: give 'name', 'position' or both")
        if any(t.startswith(".") for t in item["targets"]) and argument is None:
            raise CatalogError(f"{where}: a method-only target ('.name') needs an argument condition")
        if item["capability"] == "sensitive-categorisation" and "attribute" not in item:
            raise CatalogError(f"{where}: sensitive-categorisation calls must name the 'attribute'")
    if kind == "vocabulary" and item["min_match"] < 2:
        raise CatalogError(f"{where}: min_match must be at least 2, so one word is never a finding")
    if kind == "model_file":
        try:
            re.compile(item["pattern"])
        except re.error as exc:
            raise CatalogError(f"{where}: pattern is not a valid regular expression: {exc}") from exc
    if kind == "context" and not any(
        key in item for key in ("imports", "calls", "path_tokens", "label_words", "config_keys")
    ):
        raise CatalogError(
            f"{where}: a context needs 'imports', 'calls', 'path_tokens', 'label_words' or 'config_keys'"
        )
    if kind == "dataset":
        for pattern in item.get("file_patterns", []):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise CatalogError(f"{where}: file pattern {pattern!r} is invalid: {exc}") from exc


def _package(e: dict[str, Any]) -> Package:
    return Package(
        id=e["id"],
        name=e["name"],
        imports=tuple(e["imports"]),
        modality=Modality(e["modality"]),
        capability=Capability(e["capability"]),
        dedicated=e["dedicated"],
        summary=e["summary"],
        aliases=tuple(e.get("aliases", ())),
    )


def _call(e: dict[str, Any]) -> CallSignature:
    arg = e.get("argument")
    return CallSignature(
        id=e["id"],
        targets=tuple(e["targets"]),
        modality=Modality(e["modality"]),
        capability=Capability(e["capability"]),
        strength=Strength(e["strength"]),
        summary=e["summary"],
        package=e.get("package"),
        argument=None
        if arg is None
        else ArgumentCondition(
            name=arg.get("name"),
            position=arg.get("position"),
            any_of=tuple(arg["any_of"]),
            default_matches=arg["default_matches"],
        ),
        attribute=e.get("attribute"),
    )


def _model(e: dict[str, Any]) -> ModelSignature:
    return ModelSignature(
        id=e["id"],
        hub_ids=tuple(e["hub_ids"]),
        modality=Modality(e["modality"]),
        capability=Capability(e["capability"]),
        summary=e["summary"],
        labels=tuple(e.get("labels", ())),
    )


def _vocabulary(e: dict[str, Any]) -> Vocabulary:
    return Vocabulary(
        id=e["id"],
        capability=Capability(e["capability"]),
        modality=Modality(e["modality"]) if "modality" in e else None,
        language=e["language"],
        words=tuple(e["words"]),
        min_match=e["min_match"],
        summary=e["summary"],
    )


def _dataset(e: dict[str, Any]) -> DatasetSignature:
    return DatasetSignature(
        id=e["id"],
        names=tuple(e["names"]),
        modality=Modality(e["modality"]),
        capability=Capability(e["capability"]),
        summary=e["summary"],
        file_patterns=tuple(e.get("file_patterns", ())),
    )


def _input(e: dict[str, Any]) -> InputSignature:
    return InputSignature(
        id=e["id"],
        targets=tuple(e["targets"]),
        modality=Modality(e["modality"]),
        summary=e["summary"],
        package=e.get("package"),
    )


def _field(e: dict[str, Any]) -> FieldSignature:
    return FieldSignature(
        id=e["id"],
        names=tuple(e["names"]),
        modality=Modality(e["modality"]),
        capability=Capability(e["capability"]),
        summary=e["summary"],
        package=e.get("package"),
    )


def _model_file(e: dict[str, Any]) -> ModelFileSignature:
    return ModelFileSignature(
        id=e["id"],
        pattern=e["pattern"],
        modality=Modality(e["modality"]),
        capability=Capability(e["capability"]),
        summary=e["summary"],
    )


def _context(e: dict[str, Any]) -> ContextSignature:
    return ContextSignature(
        id=e["id"],
        kind=e["kind"],
        summary=e["summary"],
        imports=tuple(e.get("imports", ())),
        calls=tuple(e.get("calls", ())),
        path_tokens=tuple(e.get("path_tokens", ())),
        label_words=tuple(e.get("label_words", ())),
        config_keys=tuple(e.get("config_keys", ())),
        overridden_by=tuple(e.get("overridden_by", ())),
    )
