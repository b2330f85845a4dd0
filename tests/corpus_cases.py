"""The labelled accuracy corpus in tests/corpus: load its cases, run emoscan on each and compare.

Each case is a folder `tests/corpus/<case-id>/` holding a tiny project, written the way real projects
write it, and a `case.toml` that says what emoscan must report there:

    title = "DeepFace imported through an alias, actions from a constant"
    positive = true                  # emotion recognition is there (false: a look-alike)
    category = "face"                # face, voice, physiological, behavioural, text, cloud,
                                     # model-config, model-file, dependency, repository
    modality = "face"                # what the inference is based on (negatives: the look-alike's)
    evidence = ["import", "call"]    # evidence kinds the case exercises
    expected = [                     # exactly the results emoscan must give: rule, path, line
        { rule = "EMO004", path = "app.py", line = 12, confidence = "high" },
    ]
    known_gap = "..."                # optional: why it does not pass yet (the test expects the failure)
    [config]                         # optional scanner settings (include_vendored, context, subjects)
    [[generated]]                    # files that cannot be committed: binaries, git-ignored folders
    path = "models/emotion-ferplus-8.onnx"
    builder = "onnx-classifier"      # text, lfs-pointer, bytes, wav, onnx-classifier, safetensors
    ...

Generated files are written at run time into a copy of the case, so no binary or vendored folder is
committed. Pytest (tests/test_corpus.py) and the benchmark (benchmarks/accuracy.py) share this module.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.api import scan
from scanner.config import Config
from scanner.findings import Result, ScanResult

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CORPUS = Path(__file__).resolve().parent / "corpus"
CASE_FILE = "case.toml"

CATEGORIES = (
    "face",
    "voice",
    "physiological",
    "behavioural",
    "text",
    "cloud",
    "model-config",
    "model-file",
    "dependency",
    "repository",
)
MODALITIES = ("face", "voice", "physiological", "behavioural", "text", "multimodal", "unknown")
EVIDENCE_KINDS = (
    "import",
    "call",
    "model-id",
    "labels",
    "dataset",
    "response-field",
    "dependency",
    "model-config",
    "model-file",
    "file-name",
)
# Rules that say "emotion recognition (or a relative of it) is here"; the others are about
# declarations and suppressions.
FINDING_RULES = frozenset({"EMO001", "EMO002", "EMO003", "EMO004", "EMO005", "EMO006", "EMO007", "EMO009"})


class CorpusError(Exception):
    """A case.toml that does not follow the format above."""


@dataclass(frozen=True, order=True)
class Hit:
    rule: str
    path: str
    line: int


@dataclass(frozen=True)
class Expected:
    hit: Hit
    confidence: str | None = None


@dataclass(frozen=True)
class Generated:
    path: str
    builder: str
    options: Mapping[str, Any]


@dataclass(frozen=True)
class Case:
    id: str
    folder: Path
    title: str
    positive: bool
    category: str
    modality: str
    evidence: tuple[str, ...]
    expected: tuple[Expected, ...]
    generated: tuple[Generated, ...] = ()
    config: Mapping[str, Any] = field(default_factory=dict)
    # Why emoscan does not pass this case yet, when that is known and owned elsewhere; the test
    # expects the failure (strict), so it must be removed once the case passes.
    known_gap: str | None = None


@dataclass(frozen=True)
class Outcome:
    case: Case
    hits: tuple[tuple[Hit, str | None], ...]  # (rule, path, line) and the component's confidence
    fatal_notices: tuple[str, ...]

    @property
    def found(self) -> set[Hit]:
        return {hit for hit, _ in self.hits}

    @property
    def wanted(self) -> set[Hit]:
        return {e.hit for e in self.case.expected}

    @property
    def passed(self) -> bool:
        if self.found != self.wanted or self.fatal_notices:
            return False
        confidence = {hit: level for hit, level in self.hits}
        return all(e.confidence is None or confidence.get(e.hit) == e.confidence for e in self.case.expected)


# --- loading ----------------------------------------------------------------------------------------


def load_cases(root: Path = CORPUS) -> list[Case]:
    cases = [_load_case(folder) for folder in sorted(root.iterdir()) if (folder / CASE_FILE).is_file()]
    if not cases:
        raise CorpusError(f"no cases under {root}")
    return cases


def _load_case(folder: Path) -> Case:
    where = folder / CASE_FILE
    with where.open("rb") as handle:
        data = tomllib.load(handle)
    try:
        positive = data["positive"]
        category = data["category"]
        modality = data["modality"]
        evidence = tuple(data.get("evidence", ()))
        expected = tuple(
            Expected(Hit(e["rule"], e["path"], int(e["line"])), e.get("confidence"))
            for e in data.get("expected", ())
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CorpusError(f"{where}: {exc!r}") from exc
    if category not in CATEGORIES:
        raise CorpusError(f"{where}: category {category!r} not in {CATEGORIES}")
    if modality not in MODALITIES:
        raise CorpusError(f"{where}: modality {modality!r} not in {MODALITIES}")
    unknown = set(evidence) - set(EVIDENCE_KINDS)
    if unknown:
        raise CorpusError(f"{where}: unknown evidence kinds {sorted(unknown)}")
    if positive and not any(e.hit.rule in FINDING_RULES for e in expected):
        raise CorpusError(f"{where}: a positive case must expect at least one finding")
    generated = tuple(
        Generated(g["path"], g["builder"], {k: v for k, v in g.items() if k not in {"path", "builder"}})
        for g in data.get("generated", ())
    )
    return Case(
        id=folder.name,
        folder=folder,
        title=data.get("title", folder.name),
        positive=bool(positive),
        category=category,
        modality=modality,
        evidence=evidence,
        expected=expected,
        generated=generated,
        config=data.get("config", {}),
        known_gap=data.get("known_gap"),
    )


# --- running ----------------------------------------------------------------------------------------


def materialise(case: Case, workdir: Path) -> Path:
    """Copy the case (without case.toml) into `workdir` and write its generated files there."""
    target = workdir / case.id
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(case.folder, target, ignore=shutil.ignore_patterns(CASE_FILE))
    for item in case.generated:
        path = target / item.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(build(item))
    return target


def run_case(case: Case, workdir: Path) -> Outcome:
    root = materialise(case, workdir)
    result = scan([root], _config(case.config), base=root)
    return Outcome(case, _hits(result), tuple(f"{n.path}: {n.message}" for n in result.notices if n.fatal))


def run_corpus(workdir: Path, cases: Sequence[Case] | None = None) -> list[Outcome]:
    return [run_case(case, workdir) for case in (cases if cases is not None else load_cases())]


def _config(options: Mapping[str, Any]) -> Config:
    allowed = {"include_vendored", "context", "subjects", "exemption", "respect_gitignore"}
    unknown = set(options) - allowed
    if unknown:
        raise CorpusError(f"unsupported config keys {sorted(unknown)}")
    values = dict(options)
    if "subjects" in values:
        values["subjects"] = tuple(values["subjects"])
    return Config(**values)


def _hits(result: ScanResult) -> tuple[tuple[Hit, str | None], ...]:
    return tuple(sorted((_hit(r), _confidence(r)) for r in result.results))


def _hit(result: Result) -> Hit:
    return Hit(result.rule_id, result.location.path, result.location.line)


def _confidence(result: Result) -> str | None:
    return None if result.component is None else result.component.confidence.value


# --- generated files --------------------------------------------------------------------------------


def build(item: Generated) -> bytes:
    builder = _BUILDERS.get(item.builder)
    if builder is None:
        raise CorpusError(f"unknown builder {item.builder!r} for {item.path}")
    return builder(item.options)


def _text(options: Mapping[str, Any]) -> bytes:
    encoding = options.get("encoding", "utf-8")
    text: str = options["text"]
    data = text.encode(encoding)
    if encoding == "utf-16":
        return data  # Python writes the BOM itself
    return data


def _lfs_pointer(options: Mapping[str, Any]) -> bytes:
    """What a clone without Git LFS holds in place of a large model file."""
    size = int(options.get("size", 87_254_192))
    oid = hashlib.sha256(str(options.get("seed", size)).encode()).hexdigest()
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n".encode()


def _bytes(options: Mapping[str, Any]) -> bytes:
    head = bytes.fromhex(options.get("hex", ""))
    return head + bytes([int(options.get("fill", 0))]) * int(options.get("size", 0))


def _wav(options: Mapping[str, Any]) -> bytes:
    """A valid, silent 16 kHz mono PCM WAV file of `samples` samples."""
    samples = int(options.get("samples", 160))
    data = b"\x00\x00" * samples
    fmt = struct.pack("<HHIIHH", 1, 1, 16000, 32000, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(data))
        + b"WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )


def _onnx_classifier(options: Mapping[str, Any]) -> bytes:
    """A tiny Flatten -> Gemm classifier with the given input shape, class count and metadata."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    shape: list[Any] = list(options["input_shape"])
    classes = int(options["classes"])
    weight = numpy_helper.from_array(np.zeros((classes, 4), dtype=np.float32), "fc.weight")
    graph = helper.make_graph(
        [
            helper.make_node("Flatten", ["input"], ["flat"]),
            helper.make_node("Gemm", ["flat", "fc.weight"], ["logits"], transB=1),
        ],
        str(options.get("graph_name", "main_graph")),
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", classes])],
        [weight],
    )
    model = helper.make_model(graph, producer_name="pytorch", opset_imports=[helper.make_opsetid("", 17)])
    metadata: Mapping[str, str] = options.get("metadata", {})
    if metadata:
        helper.set_model_props(model, dict(metadata))
    data: bytes = model.SerializeToString()
    return data


def _safetensors(options: Mapping[str, Any]) -> bytes:
    """A safetensors file with zero-filled float32 tensors of the given shapes and optional metadata."""
    shapes: Mapping[str, list[int]] = options["tensors"]
    header: dict[str, Any] = {}
    offset = 0
    for name, shape in shapes.items():
        count = 1
        for dim in shape:
            count *= int(dim)
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + 4 * count]}
        offset += 4 * count
    if options.get("metadata"):
        header["__metadata__"] = dict(options["metadata"])
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    return struct.pack("<Q", len(encoded)) + encoded + b"\x00" * offset


_BUILDERS = {
    "text": _text,
    "lfs-pointer": _lfs_pointer,
    "bytes": _bytes,
    "wav": _wav,
    "onnx-classifier": _onnx_classifier,
    "safetensors": _safetensors,
}


# --- scoring ----------------------------------------------------------------------------------------


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, other: Tally) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


def tally(outcome: Outcome) -> Tally:
    """True positives are expected results found; false positives results nobody expected; false
    negatives expected results missing. Only finding rules are counted."""
    found = {h for h in outcome.found if h.rule in FINDING_RULES}
    wanted = {h for h in outcome.wanted if h.rule in FINDING_RULES}
    return Tally(tp=len(found & wanted), fp=len(found - wanted), fn=len(wanted - found))


def by_confidence(outcomes: Sequence[Outcome]) -> dict[str, Tally]:
    """Precision of results at each confidence level: is a `high` result right 19 times in 20?"""
    levels: dict[str, Tally] = {}
    for outcome in outcomes:
        wanted = outcome.wanted
        for hit, level in outcome.hits:
            if hit.rule not in FINDING_RULES:
                continue
            entry = levels.setdefault(level or "none", Tally())
            if hit in wanted:
                entry.tp += 1
            else:
                entry.fp += 1
    return levels


def grouped(outcomes: Sequence[Outcome], key: str) -> dict[str, Tally]:
    groups: dict[str, Tally] = {}
    for outcome in outcomes:
        case = outcome.case
        names: Sequence[str] = {
            "category": (case.category,),
            "modality": (case.modality,),
            "evidence": case.evidence,
        }[key]
        for name in names:
            groups.setdefault(name, Tally()).add(tally(outcome))
    return dict(sorted(groups.items()))


def overall(outcomes: Sequence[Outcome]) -> Tally:
    total = Tally()
    for outcome in outcomes:
        total.add(tally(outcome))
    return total
