"""Python sources: find emotion-recognition imports, calls, model ids, label lists, response fields and
biometric inputs with libcst, resolving aliases to qualified names.

Name resolution is an import/assignment table built in the same visitor pass, which costs little
more than the parse (libcst's full scope analysis is ~8x slower). It is flow-insensitive: a name
bound anywhere in the file resolves everywhere, which is what scanners want (`self.detector = FER()`
in `__init__` and `self.detector.detect_emotions(...)` in another method resolve).

Files that do not parse (Python 2, syntax errors, pathological nesting) are analysed by a lexical
fallback with a non-fatal notice, so an old repository still gets its findings.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from scanner import prefilter
from scanner.analyzers.text import TextError, decode, looks_binary, read_bytes
from scanner.discovery import Artifact
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
    ModelFileSignature,
    Package,
    normalise_word,
)

LineMap = Callable[[int], int]

# Bracket nesting beyond this is generated or hostile code; the native parser's recursion on it can
# take the process down, so such files go to the lexical fallback.
MAX_NESTING = 100

# Calls that run a trained model. Label lists next to them are a classifier's classes; label lists
# without them (a mood picker, a TTS emotion control) are not emotion recognition.
INFERENCE_CALLS = frozenset(
    {
        "predict",
        "predict_proba",
        "predict_on_batch",
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
    if not prefilter.matches(catalog, data):
        return FileOutcome()
    try:
        text = decode(data, artifact.path)
    except TextError as exc:
        return FileOutcome(notices=(exc.notice,))
    collector = Collector(catalog, artifact.path)
    collector.feed(text)
    return collector.outcome()


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
            MetadataWrapper(module, unsafe_skip_copy=True).visit(_Visitor(self, line_map))
        except RecursionError:
            self.notices.append(
                Notice(self.path, NoticeKind.PARSE_ERROR, "code nested too deeply to analyse; skipped")
            )

    def outcome(self) -> FileOutcome:
        ordered = sorted(
            self.evidence.values(), key=lambda e: (e.location.line, e.location.column, e.signature_id)
        )
        return FileOutcome(tuple(ordered), tuple(self.notices))

    # --- evidence builders ------------------------------------------------------------------------

    def add(self, evidence: Evidence) -> None:
        key = (evidence.signature_id, evidence.location.line, evidence.location.column)
        self.evidence.setdefault(key, evidence)

    def location(self, line: int, column: int) -> Location:
        return Location(self.path, line, column)

    def on_import(self, module: str, where: Location) -> None:
        package = _package_for(self.catalog, module)
        if package is None:
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
        if method in INFERENCE_CALLS:
            self.add(
                Evidence(
                    kind=EvidenceKind.CALL,
                    signature_id=INFERENCE_SIGNATURE,
                    location=where,
                    summary=f"runs a trained model ({_short(qualname)})",
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
            for pattern, candidate in catalog.dataset_file_regexes:
                if pattern.search(basename):
                    dataset = candidate
                    break
        if dataset is not None:
            self.add(
                Evidence(
                    kind=EvidenceKind.DATASET,
                    signature_id=dataset.id,
                    location=where,
                    summary=f"dataset {value.strip()!r}: {dataset.summary}",
                    modality=dataset.modality,
                    capability=dataset.capability,
                    strength=Strength.ARTIFACT,
                )
            )

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


def _package_for(catalog: Catalog, module: str) -> Package | None:
    parts = module.split(".")
    index = catalog.package_by_import
    for end in range(len(parts), 0, -1):
        package = index.get(".".join(parts[:end]))
        if package is not None:
            return package
    return None


def _short(qualname: str) -> str:
    """`deepface.DeepFace.analyze` -> `DeepFace.analyze`: what a reader recognises."""
    parts = qualname.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else qualname


def _syntax_error(text: str, exc: cst.ParserSyntaxError) -> tuple[int, int, str]:
    """Where and why the file does not parse. CPython's own compiler names the cause ("Missing
    parentheses in call to 'print'") and the right line; libcst's position is the fallback."""
    try:
        ast.parse(text)
    except SyntaxError as error:
        if error.lineno is not None:
            return error.lineno, error.offset or 1, error.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    return exc.editor_line, exc.editor_column, "invalid syntax"


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
        try:
            value = node.evaluated_value
        except Exception:  # libcst raises plain exceptions for odd prefixes
            return None
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_value(node.left), string_value(node.right)
        return None if left is None or right is None else left + right
    return None


class _Visitor(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, collector: Collector, line_map: LineMap) -> None:
        super().__init__()
        self.c = collector
        self.line_map = line_map

    # positions

    def where(self, node: cst.CSTNode) -> Location:
        position: CodeRange = self.get_metadata(PositionProvider, node)
        start, end = position.start, position.end
        return Location(
            self.c.path,
            self.line_map(start.line),
            start.column + 1,
            self.line_map(end.line),
            end.column + 1,
        )

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
        if qualname.rsplit(".", 1)[-1] == "get" and node.args:
            key = string_value(node.args[0].value)
            if key is not None:
                self.c.on_field(key, self.where(node.args[0]))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = string_value(node)
        if value is not None:
            self.c.on_string(value, self.where(node))

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

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in self.c.catalog.field_by_name:
            self.c.on_field(node.attr.value, self.where(node.attr))


# --- lexical fallback ------------------------------------------------------------------------------

_IMPORT_RE = re.compile(r"^[ \t]*import[ \t]+([\w., \t]+?)[ \t]*(?:#.*)?$", re.MULTILINE)
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
