"""Python sources: find emotion-recognition imports, calls, model ids, label lists, response fields and
biometric inputs with libcst, resolving aliases to qualified names.

Name resolution is an import/assignment table built in the same visitor pass, which costs little
more than the parse (libcst's full scope analysis is ~8x slower). It is flow-insensitive: a name
bound anywhere in the file resolves everywhere, which is what scanners want (`self.detector = FER()`
in `__init__` and `self.detector.detect_emotions(...)` in another method resolve).

The tree is read with `cst_walk.Walker` rather than libcst's metadata wrapper, and positions are
worked out after the walk for the nodes that became evidence only (`_NodePlace`, `Collector.place`):
the wrapper's visit and PositionProvider cost four times the parse.

Files that do not parse (Python 2, syntax errors, pathological nesting) are analysed by a lexical
fallback with a non-fatal notice, so an old repository still gets its findings.
"""

from __future__ import annotations

import ast
import codecs
import dataclasses
import io
import re
import textwrap
import tokenize
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import libcst as cst

from scanner import analyzers, prefilter
from scanner.analyzers.context import path_tokens, words_of
from scanner.analyzers.cst_walk import Walker, children, positions, skip_validation
from scanner.analyzers.text import TextError, decode, looks_binary, parse_python, read_bytes
from scanner.analyzers.tree import definitions_only, field_hint, syntax_tree
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
from scanner.labels import match_labels
from scanner.signatures import (
    ArgumentCondition,
    CallSignature,
    Catalog,
    ContextSignature,
    DatasetSignature,
    ModelFileSignature,
    Package,
    normalise_dist,
    normalise_word,
)

LineMap = Callable[[int], int]

# Bracket nesting beyond this is generated or hostile code; the native parser's recursion on it can
# take the process down, so such files go to the lexical fallback.
MAX_NESTING = 100
# Chains of operators nest without brackets (`not not ... x`, `a if b else a if b else ...`, `x.a.a...`,
# `1+1+...`). libcst's native parser recurses on them without a guard: past a few thousand levels it
# aborts the process, and long before that its time and memory grow with the square of the depth
# (2,000 levels of `if/else`: 0.7 GB and 3 s). Deeper expressions go to the lexical fallback.
MAX_EXPRESSION_DEPTH = 200

# Calls that run a trained model. Label lists next to them are a classifier's classes; label lists
# without them (a mood picker, a TTS emotion control) are not emotion recognition.
INFERENCE_CALLS = frozenset(
    {
        "predict",
        "predict_proba",
        "predict_on_batch",
        "predict_one",
        "predict_classes",
        "load_model",
        "model_from_json",
        "InferenceSession",
        "readNet",
        "readNetFromONNX",
        "readNetFromCaffe",
        "readNetFromTensorflow",
        "readNetFromTorch",
        "classify_file",
        "classify_batch",
        "Interpreter",
    }
)

INFERENCE_SIGNATURE = "generic.model_inference"

# Loaders of trained models, by qualified name (their method names alone, `load`, say nothing).
INFERENCE_QUALNAMES = frozenset(
    {"torch.jit.load", "torch.load", "joblib.load", "tensorflow.saved_model.load", "onnx.load"}
)

# Calls that train a classifier on a folder of class folders or on batches: a label set next to them is
# the classes being learnt.
TRAINING_CALLS = frozenset(
    {"flow_from_directory", "image_dataset_from_directory", "ImageFolder", "fit_generator", "train_on_batch"}
)
TRAINING_SIGNATURE = "generic.model_training"

# A variable named for emotion that is computed (not a literal, not a copy): `emotion = labels[pred]`,
# `emotions = detector.top(frame)`. Weak alone; with a camera or a model call it is the output of an
# emotion classifier even when the labels come from the model.
EMOTION_OUTPUT_SIGNATURE = "generic.emotion_output"
EMOTION_OUTPUT_WORDS = frozenset({"emotion", "emotions"})
# ... unless the name ends in one of these: then the value is the classifier itself (`emotion_model =
# ort.InferenceSession(...)`), the same evidence, told as what it is.
MODEL_WORDS = frozenset(
    {
        "model",
        "net",
        "network",
        "classifier",
        "clf",
        "session",
        "sess",
        "pipeline",
        "pipe",
        "detector",
        "recognizer",
        "recogniser",
        "predictor",
        "interpreter",
        "estimator",
        "analyzer",
        "analyser",
    }
)

# Keyword arguments of setup() that list requirements (setup.py is Python, not a requirements file).
SETUP_REQUIREMENT_KEYWORDS = frozenset({"install_requires", "requires", "setup_requires", "tests_require"})
SETUP_FUNCTIONS = frozenset({"setuptools.setup", "distutils.core.setup", "setup"})

# Inputs that show a person is being captured whatever a file's context says (see contexts.toml).
PERSON_MODALITIES = frozenset({Modality.FACE, Modality.PHYSIOLOGICAL, Modality.BEHAVIOURAL})

# A response field named by one plain word ("Emotions") is also a column or attribute name in ordinary
# code (a pandas column): it proves emotion output only where its API's package is imported.
_GENERIC_FIELD = re.compile(r"^[A-Z]?[a-z]+$")

# PEP 263 source encoding declaration, on line 1 or 2.
_CODING_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")

# Comment blocks longer than this are licence headers or prose, not commented-out code.
MAX_COMMENT_BLOCK_LINES = 200


def analyze(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    try:
        data = read_bytes(artifact)
    except TextError as exc:
        return FileOutcome(notices=(exc.notice,))
    if looks_binary(data):
        return FileOutcome(
            notices=(
                Notice(
                    artifact.path,
                    NoticeKind.UNSUPPORTED,
                    "binary content (NUL bytes) in a Python source file; skipped",
                ),
            )
        )
    # setup.py declares dependencies by distribution name, which the token prefilter does not know.
    if artifact.kind is not ArtifactKind.SETUP_PY and not prefilter.matches(catalog, data):
        return FileOutcome()
    try:
        text = decode_source(data, artifact.path)
    except TextError as exc:
        return FileOutcome(notices=(exc.notice,))
    collector = Collector(catalog, artifact.path)
    collector.feed(text)
    return dataclasses.replace(collector.outcome(), library_only=collector.library_only)


def analyze_text(artifact: Artifact, catalog: Catalog, text: str) -> FileOutcome:
    """Analyse a source text whatever the prefilter would say (the repository pass asks this of a file
    that uses a label list or dataset defined elsewhere: its camera or model call is what it needs)."""
    collector = Collector(catalog, artifact.path)
    collector.feed(text)
    return collector.outcome()


def decode_source(data: bytes, path: str) -> str:
    """UTF-8 (or a BOM's encoding), else the encoding the file declares in its PEP 263 cookie: old
    sources with Latin-1 comments in German, French or Spanish declare `# -*- coding: latin-1 -*-`."""
    try:
        return decode(data, path)
    except TextError as error:
        encoding = _declared_encoding(data)
        if encoding is not None:
            try:
                return data.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                pass
        raise error


def _declared_encoding(data: bytes) -> str | None:
    for line in data.split(b"\n", 2)[:2]:
        match = _CODING_COOKIE.match(line)
        if match is not None:
            name = match.group(1).decode("ascii", "replace")
            try:
                return codecs.lookup(name).name
            except LookupError:
                return None
    return None


@dataclass(frozen=True)
class _NodePlace(Location):
    """Where a node is, before its position is known: positions are worked out once per parsed text,
    for the nodes that became evidence only (see cst_walk.positions)."""

    node_id: int = 0
    node: cst.CSTNode | None = field(default=None, compare=False, repr=False)


@dataclass
class Collector:
    """Evidence gathered from one file (or from all cells of one notebook, which share imports)."""

    catalog: Catalog
    path: str
    aliases: dict[str, str] = field(default_factory=dict)
    # Names bound by import statements; a later `X = None` in an except branch must not unbind them.
    imported: set[str] = field(default_factory=set)
    constants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    evidence: dict[tuple[str, int, int], Evidence] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)
    # Every module imported (catalogue or not) and every function or method name called: the file's
    # context (speech synthesis, music) is read from them.
    modules: set[str] = field(default_factory=set)
    called: set[str] = field(default_factory=set)
    # Catalogue packages this file imports, by distribution name.
    packages: set[str] = field(default_factory=set)
    # Response fields seen, by evidence key, for the plain-word gate in outcome().
    field_names: dict[tuple[str, int, int], str] = field(default_factory=dict)
    # Words of the names this file defines (variables, functions, classes), for its context.
    identifier_tokens: set[str] = field(default_factory=set)
    # Datasets already named by an identifier: one identifier is enough per file.
    identifier_datasets: set[str] = field(default_factory=set)
    # While true, evidence is recorded as dormant (it sits in commented-out code).
    dormant: bool = False
    # Nodes whose evidence waits for its position, by id (see _NodePlace).
    pending: dict[int, cst.CSTNode] = field(default_factory=dict)
    # Whether the module is definitions only (see definitions_only); None until a text is fed.
    library_only: bool | None = None

    def feed(self, text: str, line_map: LineMap = lambda line: line) -> None:
        """Analyse one source text; `line_map` turns its line numbers into the file's."""
        depth = _max_nesting(text)
        if depth > MAX_NESTING:
            self.notices.append(
                Notice(
                    self.path,
                    NoticeKind.PARTIAL,
                    f"brackets nested {depth} deep (limit {MAX_NESTING}); analysed lexically instead of parsed",
                    fatal=False,
                )
            )
            LexicalScanner(self, line_map).scan(text)
            return
        tree, hazard = python_tree(text)
        if self.library_only is None:
            # The first text fed is the module itself (notebook cells and comment blocks come later).
            self.library_only = tree is not None and definitions_only(tree)
        if hazard is not None:
            message = f"{hazard} (limit {MAX_EXPRESSION_DEPTH}); analysed lexically instead of parsed"
            self.notices.append(Notice(self.path, NoticeKind.PARTIAL, message, fatal=False))
            LexicalScanner(self, line_map).scan(text)
            return
        if analyzers.owned_process():
            skip_validation()
        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError as exc:
            raw_line, column, reason = _syntax_error(text, exc)
            line = line_map(raw_line)
            self.notices.append(
                Notice(
                    self.path,
                    NoticeKind.PARSE_ERROR,
                    f"syntax error at line {line}, column {column} ({reason}); analysed lexically instead",
                    fatal=False,
                    line=line,
                )
            )
            LexicalScanner(self, line_map).scan(text)
            return
        except (RecursionError, MemoryError) as exc:
            self.notices.append(
                Notice(self.path, NoticeKind.PARSE_ERROR, f"parser gave up ({type(exc).__name__}); skipped")
            )
            return
        try:
            _Visitor(self).walk(module)
            self.place(module, text, line_map)
        except RecursionError:
            self.forget_unplaced()
            self.notices.append(
                Notice(self.path, NoticeKind.PARSE_ERROR, "code nested too deeply to analyse; skipped")
            )
            return
        self.feed_comments(text, line_map)

    def feed_comments(self, text: str, line_map: LineMap) -> None:
        """Commented-out code: blocks of full-line comments that parse as Python are analysed like code,
        and what they yield is dormant (it never runs), which lowers the component's confidence. Names
        they bind do not leak into the live code's name table."""
        saved = (dict(self.aliases), set(self.imported), dict(self.constants))
        self.dormant = True
        try:
            for first_line, code in commented_code(text):
                if parser_hazard(code) is not None:
                    continue
                try:
                    module = cst.parse_module(code)
                except (cst.ParserSyntaxError, RecursionError, MemoryError):
                    continue

                def block_map(line: int, first: int = first_line) -> int:
                    return line_map(first + line - 1)

                try:
                    _Visitor(self).walk(module)
                    self.place(module, code, block_map)
                except RecursionError:
                    self.forget_unplaced()
                    continue
        finally:
            self.dormant = False
            self.aliases, self.imported, self.constants = saved

    def outcome(self) -> FileOutcome:
        items = list(self.evidence.items())
        context = self.negative_context([e for _, e in items])
        if context is not None:
            # Emotion words in speech synthesis or music code are a style input or a song's mood.
            items = [
                (k, e)
                for k, e in items
                if e.kind not in (EvidenceKind.LABELS, EvidenceKind.DATASET)
                and e.signature_id != EMOTION_OUTPUT_SIGNATURE
            ]
        evidence = [self.gate_field(key, e) for key, e in items]
        ordered = sorted(evidence, key=lambda e: (e.location.line, e.location.column, e.signature_id))
        return FileOutcome(tuple(ordered), tuple(self.notices))

    def negative_context(self, evidence: Sequence[Evidence]) -> ContextSignature | None:
        """The speech-synthesis or music context this file shows, unless it also captures a person."""
        catalog = self.catalog
        if not catalog.contexts:
            return None
        found: ContextSignature | None = None
        for token in sorted(path_tokens(self.path) | self.identifier_tokens):
            found = found or catalog.context_path_tokens.get(token)
        for module in sorted(self.modules):
            parts = module.split(".")
            for end in range(len(parts), 0, -1):
                found = found or catalog.context_imports.get(".".join(parts[:end]))
        for name in sorted(self.called):
            found = found or catalog.context_calls.get(name)
        if found is None:
            return None
        for e in evidence:
            if e.capability is Capability.BIOMETRIC_INPUT and (
                e.modality in PERSON_MODALITIES or e.signature_id in found.overridden_by
            ):
                return None
        return found

    def gate_field(self, key: tuple[str, int, int], evidence: Evidence) -> Evidence:
        """A plain-word response field ("Emotions") counts as direct only where its package is
        imported; elsewhere it is a weak, modality-less hint that needs corroboration."""
        name = self.field_names.get(key)
        if name is None or not _GENERIC_FIELD.match(name) or evidence.package is None:
            return evidence
        if normalise_dist(evidence.package) in self.packages:
            return evidence
        return field_hint(evidence, f"no {evidence.package} import in this file")

    # --- evidence builders ------------------------------------------------------------------------

    def add(self, evidence: Evidence) -> None:
        if self.dormant:
            evidence = dataclasses.replace(evidence, dormant=True)
        where = evidence.location
        if isinstance(where, _NodePlace) and where.node is not None:
            self.pending[where.node_id] = where.node
        self.evidence.setdefault(self.key(evidence.signature_id, where), evidence)

    @staticmethod
    def key(signature_id: str, where: Location) -> tuple[str, int, int]:
        """One piece of evidence per signature and place; a node not yet placed is its own place."""
        if isinstance(where, _NodePlace):
            return (signature_id, 0, where.node_id)
        return (signature_id, where.line, where.column)

    def forget_unplaced(self) -> None:
        """Drop the evidence of a text whose analysis broke off before its positions were known."""
        self.pending.clear()
        self.evidence = {k: e for k, e in self.evidence.items() if not isinstance(e.location, _NodePlace)}

    def place(self, module: cst.Module, text: str, line_map: LineMap) -> None:
        """Give the evidence found in `module` (parsed from `text`) its positions."""
        if not self.pending:
            return
        spans = positions(module, text, self.pending.values())
        self.pending.clear()
        placed: dict[tuple[str, int, int], Evidence] = {}
        for key, item in self.evidence.items():
            where = item.location
            if isinstance(where, _NodePlace):
                line, column, end_line, end_column = spans[where.node_id]
                where = Location(self.path, line_map(line), column + 1, line_map(end_line), end_column + 1)
                item = dataclasses.replace(item, location=where)
                name = self.field_names.pop(key, None)
                key = self.key(item.signature_id, where)
                if name is not None:
                    self.field_names[key] = name
            placed.setdefault(key, item)
        self.evidence = placed

    def location(self, line: int, column: int) -> Location:
        return Location(self.path, line, column)

    def on_import(self, module: str, where: Location) -> None:
        if not self.dormant:
            self.modules.add(module)
        package = _package_for(self.catalog, module)
        if package is None:
            return
        if not self.dormant:
            self.packages.add(normalise_dist(package.name))
        if package.dedicated and _inside_package(self.path, module):
            # The package's own modules importing each other (a vendored copy, the library's own
            # repository): where it is used is what matters, and its calls are still found.
            return
        biometric = package.capability is Capability.BIOMETRIC_INPUT
        self.add(
            Evidence(
                kind=EvidenceKind.BIOMETRIC_INPUT if biometric else EvidenceKind.IMPORT,
                signature_id=package.id,
                location=where,
                summary=f"imports {module} ({package.summary})",
                modality=package.modality,
                capability=package.capability,
                strength=Strength.DIRECT if package.dedicated and not biometric else Strength.ENABLER,
                package=package.name,
            )
        )

    def bind_import(self, local: str, qualname: str) -> None:
        self.aliases[local] = qualname
        self.imported.add(local)

    def bind_value(self, local: str, qualname: str) -> None:
        if local not in self.imported and qualname != local:
            self.aliases[local] = qualname

    def on_call(self, qualname: str, args: ArgumentReader, where: Location) -> None:
        catalog = self.catalog
        method = qualname.rsplit(".", 1)[-1]
        if not self.dormant:
            self.called.add(method)
        targets = catalog.calls_by_target.get(qualname, ())
        if not targets and "." in qualname and qualname.split(".", 1)[0] not in self.imported:
            targets = self._unresolved_method(method)
        for signature in targets:
            self._call_evidence(signature, qualname, args, where)
        for signature in catalog.calls_by_method.get(method, ()):
            self._call_evidence(signature, qualname, args, where)
        for entry in catalog.inputs_by_target.get(qualname, ()):
            self.add(
                Evidence(
                    kind=EvidenceKind.BIOMETRIC_INPUT,
                    signature_id=entry.id,
                    location=where,
                    summary=f"{_short(qualname)}: {entry.summary}",
                    modality=entry.modality,
                    capability=Capability.BIOMETRIC_INPUT,
                    strength=Strength.ENABLER,
                    package=entry.package,
                )
            )
        # A model being run or trained: context that makes a label list nearby credible.
        if method in INFERENCE_CALLS or qualname in INFERENCE_QUALNAMES:
            model_use: tuple[str, str] | None = (INFERENCE_SIGNATURE, "runs a trained model")
        else:
            model_use = (TRAINING_SIGNATURE, "trains a model") if method in TRAINING_CALLS else None
        if model_use is not None:
            self.on_model_use(model_use[0], f"{model_use[1]} ({_short(qualname)})", where)

    def on_model_use(self, signature_id: str, summary: str, where: Location) -> None:
        """A model being run or trained: context that makes a label list nearby credible."""
        self.add(
            Evidence(
                kind=EvidenceKind.CALL,
                signature_id=signature_id,
                location=where,
                summary=summary,
                modality=Modality.UNKNOWN,
                capability=Capability.BIOMETRIC_INPUT,
                strength=Strength.CONTEXT,
            )
        )

    def _unresolved_method(self, method: str) -> tuple[CallSignature, ...]:
        """A method called on a receiver the resolver cannot type (a parameter, a loop variable):
        match signatures whose method has this name and whose package this file imports. Only
        emotion-specific method names qualify (`detect_emotions`, not `analyze`)."""
        if "emotion" not in method.casefold():
            return ()
        roots = {self.aliases[name].split(".")[0] for name in self.imported}
        return tuple(
            signature
            for target, signatures in self.catalog.calls_by_target.items()
            if target.rsplit(".", 1)[-1] == method and target.split(".")[0] in roots
            for signature in signatures
        )

    def _call_evidence(
        self, signature: CallSignature, qualname: str, args: ArgumentReader, where: Location
    ) -> None:
        verdict = _argument_verdict(signature.argument, args)
        if verdict is _ArgVerdict.NO:
            return
        short = _short(qualname)
        summary = (
            signature.summary
            if short.split(".")[-1] in signature.summary
            else f"{short}: {signature.summary}"
        )
        strength = signature.strength
        if verdict is _ArgVerdict.UNKNOWN:
            summary += " (argument not statically known)"
            strength = max(strength, Strength.ARTIFACT)
        self.add(
            Evidence(
                kind=EvidenceKind.CALL,
                signature_id=signature.id,
                location=where,
                summary=summary,
                modality=signature.modality,
                capability=signature.capability,
                strength=strength,
                package=signature.package,
                labels=(signature.attribute,) if signature.attribute else (),
            )
        )

    def on_string(self, value: str, where: Location) -> None:
        """Model ids, dataset names and model file names in string literals."""
        if not value or len(value) > 300:
            return
        catalog = self.catalog
        folded = value.strip().casefold()
        model = catalog.model_by_hub_id.get(folded)
        if model is None and "/" in folded:
            model = catalog.model_by_hub_id.get("/".join(folded.rstrip("/").split("/")[-2:]))
        if model is not None:
            self.add(
                Evidence(
                    kind=EvidenceKind.MODEL_ID,
                    signature_id=model.id,
                    location=where,
                    summary=f"model {value.strip()!r}: {model.summary}",
                    modality=model.modality,
                    capability=model.capability,
                    strength=Strength.DIRECT,
                    labels=model.labels,
                )
            )
            return
        basename = re.split(r"[\\/]", value.strip())[-1]
        if basename and len(basename) < 120:
            file_match = catalog.model_file_regex.search(basename)
            if file_match is not None:
                signature = _model_file_signature(catalog, basename)
                if signature is not None:
                    self.add(
                        Evidence(
                            kind=EvidenceKind.FILE_NAME,
                            signature_id=signature.id,
                            location=where,
                            summary=f"model file {basename!r}: {signature.summary}",
                            modality=signature.modality,
                            capability=signature.capability,
                            strength=Strength.ARTIFACT,
                        )
                    )
        dataset = catalog.dataset_by_name.get(normalise_word(basename)) or catalog.dataset_by_name.get(
            normalise_word(value)
        )
        if dataset is None:
            dataset = catalog.dataset_for_file_name(basename)
        if dataset is None:
            dataset = _dataset_in_path(catalog, value)
        if dataset is not None:
            self.add(_dataset_evidence(dataset, where, f"dataset {value.strip()!r}: {dataset.summary}"))

    def on_identifier(self, name: str, where: Location) -> None:
        """A variable, function or class named for an emotion dataset (`ravdess_df`, `load_fer2013`).
        Its words also tell the file's context (`songs_list`, `tts_model`)."""
        if not self.dormant:
            self.identifier_tokens.update(path_tokens(name.replace("_", " ")))
        for dataset in datasets_in_identifier(self.catalog, name):
            if dataset.id in self.identifier_datasets:
                continue
            self.identifier_datasets.add(dataset.id)
            self.add(_dataset_evidence(dataset, where, f"identifier {name!r} names {dataset.summary}"))

    def on_emotion_output(self, name: str, where: Location) -> None:
        words = words_of(name)
        if not EMOTION_OUTPUT_WORDS & {w.casefold() for w in words}:
            return
        if words[-1].casefold() in MODEL_WORDS:
            summary = f"sets up a model named {name!r} (an emotion classifier)"
        else:
            summary = f"computes a value named {name!r} (the output of an emotion classifier)"
        self.add(
            Evidence(
                kind=EvidenceKind.CALL,
                signature_id=EMOTION_OUTPUT_SIGNATURE,
                location=where,
                summary=summary,
                modality=Modality.UNKNOWN,
                capability=Capability.EMOTION,
                strength=Strength.ARTIFACT,
            )
        )

    def on_requirement(self, spec: str, where: Location) -> None:
        """A requirement string in setup(install_requires=[...])."""
        # Here: only setup.py files get this far, and the dependency parsers cost 12 ms to import.
        from scanner.analyzers.dependencies import dependency_evidence, requirement_name

        parsed = requirement_name(spec)
        if parsed is None:
            return
        name, _ = parsed
        package = self.catalog.package_by_name.get(normalise_dist(name))
        if package is None:
            return
        self.add(dependency_evidence(package, where, f"setup.py declares '{name}' ({package.summary})"))

    def on_labels(self, labels: Sequence[str], where: Location) -> None:
        for match in match_labels(labels, self.catalog)[:1]:
            vocab = match.vocabulary
            shown = ", ".join(match.matched[:8]) + (" ..." if len(match.matched) > 8 else "")
            self.add(
                Evidence(
                    kind=EvidenceKind.LABELS,
                    signature_id=vocab.id,
                    location=where,
                    summary=f"label list with {len(match.matched)} words of the vocabulary '{vocab.summary}' ({shown})",
                    modality=vocab.modality or Modality.UNKNOWN,
                    capability=vocab.capability,
                    strength=Strength.ARTIFACT,
                    labels=match.matched,
                )
            )

    def on_field(self, name: str, where: Location) -> None:
        signature = self.catalog.field_by_name.get(name)
        if signature is None:
            return
        self.field_names[self.key(signature.id, where)] = name
        self.add(
            Evidence(
                kind=EvidenceKind.RESPONSE_FIELD,
                signature_id=signature.id,
                location=where,
                summary=f"reads {name!r}: {signature.summary}",
                modality=signature.modality,
                capability=signature.capability,
                strength=Strength.DIRECT,
                package=signature.package,
                labels=(name,) if signature.capability is Capability.SENSITIVE_CATEGORISATION else (),
            )
        )


def _model_file_signature(catalog: Catalog, basename: str) -> ModelFileSignature | None:
    for signature in catalog.model_files:
        if re.search(signature.pattern, basename, re.IGNORECASE):
            return signature
    return None


# Words of the names in an expression that say it reads a model's output (`preds`, `np.argmax`,
# `results[0].names`), as opposed to a form field or a random choice.
MODEL_OUTPUT_WORDS = frozenset(
    {
        "predict",
        "prediction",
        "predictions",
        "pred",
        "preds",
        "predicted",
        "argmax",
        "logits",
        "probs",
        "probabilities",
        "scores",
        "output",
        "outputs",
        "result",
        "results",
        "names",
        "model",
        "classifier",
        "detector",
        "recognizer",
        "recogniser",
        "net",
        "classify",
        "detect",
        "infer",
        "inference",
        "analyze",
        "analyse",
    }
)


# Words of an index expression that say it is a classifier's output (`LABELS[np.argmax(preds)]`,
# `[...][prediction[0]]`); narrower than MODEL_OUTPUT_WORDS, since any variable may index a list.
PREDICTION_INDEX_WORDS = frozenset(
    {"predict", "prediction", "predictions", "pred", "preds", "predicted", "argmax", "logits", "probs"}
)


def _names_in(value: cst.CSTNode, limit: int = 200) -> set[str]:
    """The words of the names in an expression (`np.argmax(preds)` -> {np, argmax, preds})."""
    words: set[str] = set()
    stack: list[cst.CSTNode] = [value]
    visited = 0
    while stack and visited < limit:
        node = stack.pop()
        visited += 1
        if isinstance(node, cst.Name):
            words.update(path_tokens(node.value.replace("_", " ")))
        stack.extend(children(node))
    return words


def _computed(value: cst.BaseExpression) -> bool:
    """An expression that reads a model's output: a call or subscript whose names speak of predictions,
    results, a model or a classifier (not a form field, a config value or a random choice)."""
    if not isinstance(value, (cst.Call, cst.Subscript, cst.Await, cst.BinaryOperation, cst.IfExp)):
        return False
    return bool(_names_in(value) & MODEL_OUTPUT_WORDS)


def _dataset_in_path(catalog: Catalog, value: str) -> DatasetSignature | None:
    """A dataset named by a folder of a path or glob, whole or by a run of its words
    ('/kaggle/input/cremad/AudioWAV/', 'data/WESAD/{}/{}.pkl', 'C:\\Users\\me\\Deap Dataset\\',
    'E:\\EMOTION\\RAVDESS_labeled')."""
    if "/" not in value and "\\" not in value:
        return None
    for segment in re.split(r"[\\/]+", value.strip()):
        if 2 < len(segment) <= 80:
            dataset = catalog.dataset_by_name.get(normalise_word(segment))
            if dataset is None and not any(c.isspace() for c in segment):
                # Words of a folder name, not of prose that happens to hold a slash (a docstring's
                # "manifest files for IEMOCAP (see data/README)").
                dataset = next(iter(datasets_in_identifier(catalog, segment)), None)
            if dataset is not None:
                return dataset
    return None


def datasets_in_identifier(catalog: Catalog, name: str) -> list[DatasetSignature]:
    """Catalogued datasets an identifier is named for: runs of one to three of its words
    ('Ravdess_df' -> RAVDESS, 'deap_dataset' -> DEAP, 'load_fer2013' -> FER2013)."""
    index = catalog.dataset_by_name
    words = re.findall(r"[a-z]+|\d+", name.casefold())
    found: dict[str, DatasetSignature] = {}
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            dataset = index.get("".join(words[start : start + size]))
            if dataset is not None:
                found.setdefault(dataset.id, dataset)
    return list(found.values())


def _inside_package(path: str, module: str) -> bool:
    """True when `path` lies in a folder named like the module's top-level package: the package's own
    source tree importing itself."""
    root = module.split(".", 1)[0]
    return root in PurePosixPath(path.replace("!/", "/")).parts[:-1]


def commented_code(text: str) -> Iterator[tuple[int, str]]:
    """(first line, source) of each run of full-line comments that parses as Python: commented-out
    code. Prose lines at the head of a block are skipped; a block that never parses as a whole yields
    its lines that parse on their own."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        if not lines[index].lstrip().startswith("#"):
            index += 1
            continue
        start = index
        while index < len(lines) and lines[index].lstrip().startswith("#"):
            index += 1
        block = lines[start:index]
        if len(block) > MAX_COMMENT_BLOCK_LINES:
            continue
        bodies = [_comment_body(line) for line in block]
        if not any("(" in b or b.lstrip().startswith(("import ", "from ")) for b in bodies):
            continue
        yield from _parsable(start + 1, bodies)


def _comment_body(line: str) -> str:
    body = line.lstrip()[1:]
    if body.startswith(" "):
        body = body[1:]
    if body.startswith(("!", "-*-", " -*-")) or "noqa" in body or body.startswith(("type:", "emoscan:")):
        return ""
    return body


def _parsable(first_line: int, bodies: list[str]) -> Iterator[tuple[int, str]]:
    for skip in range(min(len(bodies), 4)):
        code = textwrap.dedent("\n".join(bodies[skip:])) + "\n"
        if code.strip() and syntax_tree(code) is not None:
            yield first_line + skip, code
            return
    for offset, body in enumerate(bodies):
        code = body.strip() + "\n"
        if ("(" in code or code.startswith(("import ", "from "))) and syntax_tree(code) is not None:
            yield first_line + offset, code


def _package_for(catalog: Catalog, module: str) -> Package | None:
    parts = module.split(".")
    index = catalog.package_by_import
    for end in range(len(parts), 0, -1):
        package = index.get(".".join(parts[:end]))
        if package is not None:
            return package
    return None


def _dataset_evidence(dataset: DatasetSignature, where: Location, summary: str) -> Evidence:
    return Evidence(
        kind=EvidenceKind.DATASET,
        signature_id=dataset.id,
        location=where,
        summary=summary,
        modality=dataset.modality,
        capability=dataset.capability,
        strength=Strength.ARTIFACT,
    )


def _short(qualname: str) -> str:
    """`deepface.DeepFace.analyze` -> `DeepFace.analyze`: what a reader recognises."""
    parts = qualname.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else qualname


def _syntax_error(text: str, exc: cst.ParserSyntaxError) -> tuple[int, int, str]:
    """Where and why the file does not parse. CPython's own compiler names the cause ("Missing
    parentheses in call to 'print'") and the right line; libcst's position is the fallback."""
    try:
        parse_python(text)
    except SyntaxError as error:
        if error.lineno is not None:
            return error.lineno, error.offset or 1, error.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    return exc.editor_line, exc.editor_column, "invalid syntax"


def parser_hazard(text: str) -> str | None:
    """Why libcst must not parse `text` (see MAX_EXPRESSION_DEPTH), or None."""
    return python_tree(text)[1]


def python_tree(text: str) -> tuple[ast.Module | None, str | None]:
    """CPython's syntax tree of `text` (None if it does not parse), and why libcst must not parse the
    text, or None. CPython's own parser is guarded and fast, so it measures first; syntax it does not
    know (Python 2, or newer than this interpreter) is bounded by the operators in one logical line."""
    try:
        tree = parse_python(text)
    except (RecursionError, MemoryError):
        return None, "expressions nested too deeply for Python's parser"
    except (SyntaxError, ValueError):
        chain = _longest_operator_chain(text)
        if chain is None:
            chain = len(_CHAIN_PATTERN.findall(text))  # not even tokens: count them all
        if chain > MAX_EXPRESSION_DEPTH:
            return None, f"a statement of up to {chain:,} chained operators"
        return None, None
    if _too_deep(tree, text, MAX_EXPRESSION_DEPTH):
        return tree, f"expressions nested over {MAX_EXPRESSION_DEPTH} deep"
    return tree, None


# Every level of a statement's syntax tree below the statement itself comes with one of these tokens
# (an operator, a bracket, a dot, a keyword that starts a sub-expression), and no token opens more
# than two levels: so a statement with n of them is at most 2n + _TREE_SLACK deep.
_NESTING_TOKEN = re.compile(
    r"[-+~*/%@&|^<>.=!:,;()\[\]{}]|\b(?:and|or|not|in|is|if|else|for|lambda|await|yield|async|from|as)\b"
)
_TREE_SLACK = 8


def _too_deep(tree: ast.Module, text: str, limit: int) -> bool:
    """Whether `tree` is more than `limit` levels deep. Statements whose token count proves them
    shallow are skipped, so ordinary code costs one regular-expression pass, not a walk of every node."""
    if "\r" in text or "\x0c" in text:
        return _expression_depth(tree, limit) > limit  # line numbering differs from str.split("\n")
    prefix = [0]
    for line in text.split("\n"):
        prefix.append(prefix[-1] + len(_NESTING_TOKEN.findall(line)))

    def exceeds(node: ast.AST, base: int) -> bool:
        first = getattr(node, "lineno", None)
        last = getattr(node, "end_lineno", None)
        if first is not None and last is not None:
            for decorator in getattr(node, "decorator_list", ()):
                first = min(first, decorator.lineno)
            count = prefix[min(last, len(prefix) - 1)] - prefix[max(first, 1) - 1]
            if base + 2 * count + _TREE_SLACK <= limit:
                return False
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)):
                if exceeds(child, base + 1):
                    return True
            elif base + 1 + _expression_depth(child, limit - base - 1) > limit:
                return True
        return False

    return any(exceeds(statement, 1) for statement in tree.body)


def _expression_depth(tree: ast.AST, limit: int) -> int:
    """The depth of `tree`, iteratively, stopping as soon as it passes `limit`."""
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


_CHAIN_TOKENS = frozenset({"not", "lambda", "if", "await", "yield"})


_CHAIN_PATTERN = re.compile(r"\b(?:not|lambda|if|await|yield)\b|[-+~*/%@&|^<>.]")


def _longest_operator_chain(text: str) -> int | None:
    """The most operators and prefix keywords in one logical line, by tokens (strings and comments
    do not count), or None when the text does not tokenize."""
    longest = count = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.NEWLINE:
                longest, count = max(longest, count), 0
            elif (token.type == tokenize.OP and token.string not in _SEPARATORS) or (
                token.type == tokenize.NAME and token.string in _CHAIN_TOKENS
            ):
                count += 1
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    return max(longest, count)


_SEPARATORS = frozenset({",", ";", ":", "=", "(", ")", "[", "]", "{", "}"})


def _max_nesting(text: str) -> int:
    depth = deepest = 0
    for match in re.finditer(r"[\[\](){}]", text):
        if match.group() in "([{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


# --- arguments -------------------------------------------------------------------------------------


class _ArgVerdict:
    YES = object()
    NO = object()
    UNKNOWN = object()


@dataclass(frozen=True)
class ArgumentReader:
    """What the analyzer knows about a call's arguments: literal string values by keyword and
    position, and whether *args/**kwargs make the rest unknowable."""

    keywords: dict[str, tuple[str, ...] | None]
    positional: tuple[tuple[str, ...] | None, ...]
    has_star: bool = False

    def get(self, name: str | None, position: int | None) -> tuple[bool, tuple[str, ...] | None]:
        """(present, values); values None when present but not a literal."""
        if name is not None and name in self.keywords:
            return True, self.keywords[name]
        if position is not None and position < len(self.positional):
            return True, self.positional[position]
        return False, None


def _argument_verdict(condition: ArgumentCondition | None, args: ArgumentReader) -> object:
    if condition is None:
        return _ArgVerdict.YES
    present, values = args.get(condition.name, condition.position)
    if not present:
        if args.has_star:
            return _ArgVerdict.UNKNOWN if condition.default_matches else _ArgVerdict.NO
        return _ArgVerdict.YES if condition.default_matches else _ArgVerdict.NO
    if values is None:
        return _ArgVerdict.UNKNOWN
    wanted = {a.casefold() for a in condition.any_of}
    # "age,gender,emotion" (comma-joined attribute strings, as some SDKs take them) counts per word.
    words = {w for v in values for w in (v.casefold(), *re.split(r"[,\s|;]+", v.casefold()))}
    return _ArgVerdict.YES if words & wanted else _ArgVerdict.NO


# --- the libcst visitor ----------------------------------------------------------------------------


def dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def string_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        # Most literals need no unescaping: cut the quotes off instead of evaluating (libcst's
        # evaluated_value runs ast.literal_eval).
        text = node.value
        opening = min(i for i in (text.find('"'), text.find("'")) if i >= 0)
        prefix = text[:opening].lower()
        if "b" in prefix:
            return None
        width = 3 if text.startswith(('"""', "'''"), opening) and len(text) - opening >= 6 else 1
        body = text[opening + width : len(text) - width]
        if "\r" not in body and ("r" in prefix or "\\" not in body):
            return body
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # `"C:\Data"`: the scanned code's warning, not ours
                value = node.evaluated_value
        except Exception:  # libcst raises plain exceptions for odd prefixes
            return None
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_value(node.left), string_value(node.right)
        return None if left is None or right is None else left + right
    return None


class _Visitor(Walker):
    def __init__(self, collector: Collector) -> None:
        self.c = collector
        # String constants each enclosing function returns: hand-written rules that map features to
        # emotions (`if au6 and au12: return "happiness"`) are a label set too.
        self.returns: list[list[str]] = []

    # positions

    def where(self, node: cst.CSTNode) -> Location:
        """The node's place; its position is worked out after the walk, if it becomes evidence."""
        return _NodePlace(self.c.path, node_id=id(node), node=node)

    # name resolution

    def qualify(self, node: cst.BaseExpression) -> str | None:
        if isinstance(node, cst.Call):
            return self.qualify(node.func)  # an instance takes its class's name
        if isinstance(node, cst.Name):
            return self.c.aliases.get(node.value, node.value)
        if isinstance(node, cst.Attribute):
            text = dotted(node)
            if text is not None and text in self.c.aliases:
                return self.c.aliases[text]
            base = self.qualify(node.value)
            return None if base is None else f"{base}.{node.attr.value}"
        if isinstance(node, cst.Subscript):
            return self.qualify(node.value)
        return None

    def literal_values(self, node: cst.BaseExpression) -> tuple[str, ...] | None:
        """String values of a literal argument: a string, a collection of strings, an enum member
        (`FaceAttributeType.emotion` -> "emotion"), or a module constant holding one of these."""
        single = string_value(node)
        if single is not None:
            return (single,)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            values: list[str] = []
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    return None
                inner = self.literal_values(element.value)
                if inner is None:
                    return None
                values.extend(inner)
            return tuple(values)
        if isinstance(node, cst.Attribute):
            return (node.attr.value,)
        if isinstance(node, cst.Name):
            return self.c.constants.get(node.value)
        return None

    def arguments(self, node: cst.Call) -> ArgumentReader:
        keywords: dict[str, tuple[str, ...] | None] = {}
        positional: list[tuple[str, ...] | None] = []
        has_star = False
        for arg in node.args:
            if arg.star:
                has_star = True
            elif arg.keyword is not None:
                keywords[arg.keyword.value] = self.literal_values(arg.value)
            elif not has_star:
                positional.append(self.literal_values(arg.value))
        return ArgumentReader(keywords, tuple(positional), has_star)

    # imports

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            module = dotted(alias.name)
            if module is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.c.bind_import(alias.asname.name.value, module)
            else:
                head = module.split(".")[0]
                self.c.bind_import(head, head)
            self.c.on_import(module, self.where(alias))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            return  # a project-local module, not a catalogue package
        module = dotted(node.module)
        if module is None:
            return
        self.c.on_import(module, self.where(node))
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted(alias.name)
            if name is None:
                continue
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.c.bind_import(local, f"{module}.{name}")

    # bindings

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self.bind(target.target, node.value)
            # `emotion = ...` and `emotion, scores = ...` name what they compute.
            names: list[cst.BaseExpression] = [target.target]
            if isinstance(target.target, (cst.Tuple, cst.List)):
                names = [element.value for element in target.target.elements]
            for name in names:
                if isinstance(name, cst.Name):
                    self.c.on_identifier(name.value, self.where(name))
                    if _computed(node.value):
                        self.c.on_emotion_output(name.value, self.where(name))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.c.on_identifier(node.name.value, self.where(node.name))
        self.returns.append([])

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        returned = self.returns.pop()
        if len(set(returned)) >= 2:
            self.c.on_labels(list(dict.fromkeys(returned)), self.where(original_node.name))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.c.on_identifier(node.name.value, self.where(node.name))

    def visit_Return(self, node: cst.Return) -> None:
        if not self.returns or node.value is None:
            return
        values = [node.value]
        if isinstance(node.value, cst.IfExp):
            values = [node.value.body, node.value.orelse]
        for value in values:
            text = string_value(value)
            if text is not None:
                self.returns[-1].append(text)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self.bind(node.target, node.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self.bind(node.asname.name, node.item)

    def bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        key = dotted(target)
        if key is None:
            return
        values = self.literal_values(value) if not isinstance(value, (cst.Name, cst.Attribute)) else None
        if values is not None:
            self.c.constants[key] = values
            return
        qualname = self.qualify(value) if isinstance(value, (cst.Name, cst.Attribute, cst.Call)) else None
        if qualname is not None:
            self.c.bind_value(key, qualname)

    # calls and literals

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "split":
            text = string_value(func.value) if not isinstance(func.value, cst.Call) else None
            if text is not None:
                self.c.on_labels(text.split(), self.where(node))
        qualname = self.qualify(func)
        if qualname is None:
            return
        self.c.on_call(qualname, self.arguments(node), self.where(node))
        if qualname in SETUP_FUNCTIONS:
            self.setup_requirements(node)
        if qualname.rsplit(".", 1)[-1] == "get" and node.args:
            key = string_value(node.args[0].value)
            if key is not None:
                self.c.on_field(key, self.where(node.args[0]))

    def setup_requirements(self, node: cst.Call) -> None:
        for arg in node.args:
            if arg.keyword is None or arg.keyword.value not in SETUP_REQUIREMENT_KEYWORDS:
                continue
            if isinstance(arg.value, (cst.List, cst.Tuple)):
                for element in arg.value.elements:
                    spec = string_value(element.value)
                    if spec is not None:
                        self.c.on_requirement(spec, self.where(element.value))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = string_value(node)
        if value is not None:
            self.c.on_string(value, self.where(node))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        """An f-string path: its literal parts, with `{}` for each expression ('WESAD/{}/{}.pkl')."""
        text = "".join(
            part.value if isinstance(part, cst.FormattedStringText) else "{}" for part in node.parts
        )
        if "/" in text or "\\" in text:
            self.c.on_string(text, self.where(node))

    def visit_List(self, node: cst.List) -> None:
        self.collection(node, node.elements)

    def visit_Tuple(self, node: cst.Tuple) -> None:
        self.collection(node, node.elements)

    def visit_Set(self, node: cst.Set) -> None:
        self.collection(node, node.elements)

    def collection(self, node: cst.CSTNode, elements: Sequence[cst.BaseElement]) -> None:
        if len(elements) < 2:
            return
        labels = [s for s in (string_value(e.value) for e in elements) if s is not None]
        if len(labels) >= 2:
            self.c.on_labels(labels, self.where(node))

    def visit_Dict(self, node: cst.Dict) -> None:
        if len(node.elements) < 2:
            return
        keys: list[str] = []
        values: list[str] = []
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key, value = string_value(element.key), string_value(element.value)
                if key is not None:
                    keys.append(key)
                if value is not None:
                    values.append(value)
        for labels in (values, keys):
            if len(labels) >= 2:
                self.c.on_labels(labels, self.where(node))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                key = string_value(element.slice.value)
                if key is not None:
                    self.c.on_field(key, self.where(element))
                elif (
                    self.is_label_list(node.value) and _names_in(element.slice.value) & PREDICTION_INDEX_WORDS
                ):
                    # `EMOTIONS[np.argmax(preds)]`, `["happy", "sad"][prediction[0]]`: a model's output
                    # read through a label list, even when the model is called in a way nothing names.
                    self.c.on_model_use(
                        INFERENCE_SIGNATURE,
                        "reads a model's prediction through a label list",
                        self.where(node),
                    )

    def is_label_list(self, value: cst.BaseExpression) -> bool:
        """A list or tuple of two or more strings, written here or bound to a name in this file."""
        if isinstance(value, cst.Name):
            return len(self.c.constants.get(value.value, ())) >= 2
        if isinstance(value, (cst.List, cst.Tuple)):
            return sum(1 for e in value.elements if string_value(e.value) is not None) >= 2
        return False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in self.c.catalog.field_by_name:
            self.c.on_field(node.attr.value, self.where(node.attr))


# --- lexical fallback ------------------------------------------------------------------------------

# The module list ends with a name character: a lazy `+?` before `[ \t]*` backtracked quadratically
# over a long run of spaces (20,000 of them took 13 s).
_IMPORT_RE = re.compile(r"^[ \t]*import[ \t]+([\w., \t]*[\w.,])[ \t]*(?:#.*)?$", re.MULTILINE)
_FROM_RE = re.compile(r"^[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([\w, \t]+)", re.MULTILINE)
_CALL_RE = re.compile(r"((?<![\w.])[A-Za-z_][\w.]*|(?<=\)\.)[A-Za-z_]\w*)[ \t]*\(")
_ASSIGN_RE = re.compile(r"^[ \t]*([A-Za-z_][\w.]*)[ \t]*=[ \t]*([A-Za-z_][\w.]*)[ \t]*\(", re.MULTILINE)
_STRING_RE = re.compile(r"""(?P<q>['"])(?P<s>[^'"\\\n]{1,300})(?P=q)""")
_GROUP_RE = re.compile(r"[\[({]([^\[\](){}]{0,4000})[\])}]")
_KEYWORD_RE = re.compile(r"(\w+)[ \t]*=[ \t]*([^,)]+)")


class LexicalScanner:
    """Best-effort analysis of text that does not parse: imports, calls, strings and label groups by
    regular expression. Argument conditions are read from the call's own line."""

    def __init__(self, collector: Collector, line_map: LineMap) -> None:
        self.c = collector
        self.line_map = line_map

    def _qualify(self, name: str) -> str:
        return _lexical_qualify(self.c.aliases, name)

    def scan(self, text: str) -> None:
        starts = [0] + [m.end() for m in re.finditer("\n", text)]

        def where(offset: int) -> Location:
            line = _bisect(starts, offset)
            return self.c.location(self.line_map(line + 1), offset - starts[line] + 1)

        for match in _IMPORT_RE.finditer(text):
            for part in match.group(1).split(","):
                words = part.split()
                if not words:
                    continue
                module = words[0]
                local = words[2] if len(words) == 3 and words[1] == "as" else module.split(".")[0]
                self.c.bind_import(local, module if len(words) == 3 else local)
                self.c.on_import(module, where(match.start(1)))
        for match in _FROM_RE.finditer(text):
            module = match.group(1)
            if module.startswith("."):
                continue
            self.c.on_import(module, where(match.start(1)))
            for part in match.group(2).split(","):
                words = part.split()
                if words:
                    local = words[2] if len(words) == 3 and words[1] == "as" else words[0]
                    self.c.bind_import(local, f"{module}.{words[0]}")
        for match in _ASSIGN_RE.finditer(text):
            self.c.bind_value(match.group(1), self._qualify(match.group(2)))
        for match in _CALL_RE.finditer(text):
            name = match.group(1)
            # A method on a call's result (`FER().detect_emotions(`): the receiver is unknown.
            qualname = (
                f"?.{name}"
                if text[max(0, match.start() - 2) : match.start()] == ")."
                else self._qualify(name)
            )
            line_end = text.find("\n", match.end())
            self.c.on_call(
                qualname,
                _lexical_arguments(text[match.end() : line_end if line_end >= 0 else None]),
                where(match.start()),
            )
        for match in _STRING_RE.finditer(text):
            self.c.on_string(match.group("s"), where(match.start()))
        for match in _GROUP_RE.finditer(text):
            labels = [m.group("s") for m in _STRING_RE.finditer(match.group(1))]
            if len(labels) >= 2:
                self.c.on_labels(labels, where(match.start()))


def _lexical_qualify(aliases: dict[str, str], name: str) -> str:
    if name in aliases:
        return aliases[name]
    head, _, rest = name.partition(".")
    return aliases.get(head, head) + (f".{rest}" if rest else "")


def _lexical_arguments(rest_of_line: str) -> ArgumentReader:
    keywords: dict[str, tuple[str, ...] | None] = {}
    for match in _KEYWORD_RE.finditer(rest_of_line):
        values = tuple(m.group("s") for m in _STRING_RE.finditer(match.group(2)))
        keywords[match.group(1)] = values or None
    # Positional arguments are not reconstructed; their presence is unknown.
    return ArgumentReader(keywords, (), has_star="*" in rest_of_line)


def _bisect(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo
