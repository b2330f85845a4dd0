"""YAML and JSON files beside code: label configs (a YOLO `data.yaml` whose `names` are emotions, a Hydra
training config with `classes`, a Keras `class_indices.json`), settings that name a catalogued model or
dataset, and paths to emotion model files.

Every string value goes through the same checks as a string literal in Python (model ids, dataset names,
model file names) and every list under a label key through the same vocabularies, so a label list means
the same thing in a config as in code. A file that configures training (it has keys such as `nc`,
`epochs`, `lr`, `train`, `val`) or a class mapping saved with a model declares the model's own output
classes: its labels are model-config evidence, direct when they are clearly a label set. Elsewhere (an
app's settings, a locale file) a label list is weak and needs corroboration, as in code.

YAML is read line by line (block and flow lists, index mappings, scalars), enough for configs and never
executing tags or expanding aliases; JSON with the standard library. Files over MAX_DATA_BYTES are data,
not configs, and are skipped without a notice.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from scanner.analyzers.python_source import Collector
from scanner.analyzers.text import TextError, decode, looks_binary, read_bytes
from scanner.discovery import Artifact
from scanner.findings import Evidence, EvidenceKind, FileOutcome, Location, Strength
from scanner.labels import MAX_LABELS, match_labels
from scanner.signatures import Catalog

MAX_DATA_BYTES = 1024 * 1024
MAX_DEPTH = 12
MAX_VALUES = 20_000

# Keys whose value is a list (or index mapping) of class names.
LABEL_KEYS = frozenset(
    {
        "names",
        "classes",
        "class_names",
        "class_labels",
        "classnames",
        "labels",
        "label_names",
        "label_list",
        "categories",
        "category_names",
        "target_names",
        "emotions",
        "emotion_labels",
        "emotion_classes",
        "id2label",
        "label2id",
        "idx_to_class",
        "class_to_idx",
    }
)
# Keys of a training or model configuration; two of them make a file one.
TRAINING_KEYS = frozenset(
    {
        "nc",
        "num_classes",
        "n_classes",
        "num_labels",
        "n_labels",
        "out_n_neurons",
        "epochs",
        "max_epochs",
        "num_epochs",
        "n_epochs",
        "lr",
        "learning_rate",
        "batch_size",
        "optimizer",
        "train",
        "val",
        "valid",
        "train_path",
        "val_path",
        "train_dir",
        "val_dir",
        "trainer",
        "checkpoint",
        "pretrained_path",
        "backbone",
        "architecture",
        "loss",
        "weight_decay",
    }
)
# File names of a class mapping saved with a trained model (Keras class_indices, label maps).
CLASS_MAP_NAMES = frozenset(
    {"class_indices.json", "id2label.json", "label2id.json", "class_to_idx.json", "idx_to_class.json"}
)


@dataclass(frozen=True)
class Value:
    key: str  # the key it sits under ("" at the top level)
    line: int
    column: int
    text: str


@dataclass(frozen=True)
class LabelList:
    key: str
    line: int
    column: int
    labels: tuple[str, ...]


@dataclass
class Parsed:
    keys: set[str] = dataclasses.field(default_factory=set)
    values: list[Value] = dataclasses.field(default_factory=list)
    label_lists: list[LabelList] = dataclasses.field(default_factory=list)


def analyze(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    if artifact.size > MAX_DATA_BYTES:
        return FileOutcome()
    try:
        data = read_bytes(artifact, MAX_DATA_BYTES)
        if looks_binary(data):
            return FileOutcome()
        text = decode(data, artifact.path, strict=False)
    except TextError:
        return FileOutcome()
    name = PurePosixPath(artifact.path).name.lower()
    parsed = parse_json(text) if name.endswith(".json") else parse_yaml(text)
    if parsed is None:
        return FileOutcome()
    class_map = name in CLASS_MAP_NAMES
    training = class_map or len(parsed.keys & TRAINING_KEYS) >= 2
    collector = Collector(catalog, artifact.path)
    for value in parsed.values[:MAX_VALUES]:
        collector.on_string(value.text, Location(artifact.path, value.line, value.column))
    own: dict[tuple[int, int], bool] = {}
    for entry in parsed.label_lists:
        where = Location(artifact.path, entry.line, entry.column)
        collector.on_labels(entry.labels, where)
        matches = match_labels(entry.labels, catalog)
        own[(entry.line, entry.column)] = bool(matches) and matches[0].strong
    outcome = collector.outcome()
    if any(key in catalog.context_config_keys for key in parsed.keys):
        # A speech-synthesis (or music) config: its emotions are styles to render, not people read.
        kept = tuple(e for e in outcome.evidence if e.kind not in (EvidenceKind.LABELS, EvidenceKind.DATASET))
        outcome = FileOutcome(kept, outcome.notices)
    if not training:
        return outcome
    return FileOutcome(tuple(_as_model_config(e, own) for e in outcome.evidence), outcome.notices)


def _as_model_config(evidence: Evidence, own: dict[tuple[int, int], bool]) -> Evidence:
    """In a training config or a saved class mapping, what the file says describes the model."""
    if evidence.kind is EvidenceKind.BIOMETRIC_INPUT:
        return evidence
    if evidence.kind is EvidenceKind.DATASET:
        return evidence  # a dataset a config names is weak alone, as in code: it needs corroboration
    strength = evidence.strength
    if evidence.kind is EvidenceKind.LABELS:
        where = (evidence.location.line, evidence.location.column)
        strength = Strength.DIRECT if own.get(where) else Strength.ARTIFACT
    return dataclasses.replace(evidence, kind=EvidenceKind.MODEL_CONFIG, strength=strength)


# --- JSON -------------------------------------------------------------------------------------------


def parse_json(text: str) -> Parsed | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    out = Parsed()
    locator = _JsonLocator(text)
    if isinstance(value, (dict, list)):
        top = _labels_of(value)
        if top is not None:
            line, column = locator.first_of(top)
            out.label_lists.append(LabelList("", line, column, top))
    _walk_json(value, "", out, locator, 0)
    return out


def _walk_json(value: Any, key: str, out: Parsed, locator: _JsonLocator, depth: int) -> None:
    if depth > MAX_DEPTH or len(out.values) >= MAX_VALUES:
        return
    if isinstance(value, dict):
        for child_key, child in value.items():
            if not isinstance(child_key, str):
                continue
            lowered = child_key.casefold()
            out.keys.add(lowered)
            if lowered in LABEL_KEYS:
                labels = _labels_of(child)
                if labels is not None:
                    line, column = locator.key(child_key)
                    out.label_lists.append(LabelList(lowered, line, column, labels))
            _walk_json(child, lowered, out, locator, depth + 1)
    elif isinstance(value, list):
        for child in value[:MAX_VALUES]:
            _walk_json(child, key, out, locator, depth + 1)
    elif isinstance(value, str) and 0 < len(value) <= 300:
        line, column = locator.string(value)
        out.values.append(Value(key, line, column, value))


def _labels_of(value: Any) -> tuple[str, ...] | None:
    """Class names in a list of strings or an index mapping ({"0": "angry"} or {"angry": 0})."""
    labels: list[str] = []
    if isinstance(value, list):
        labels = [v for v in value if isinstance(v, str)]
    elif isinstance(value, dict):
        keys = [k for k in value if isinstance(k, str)]
        values = [v for v in value.values() if isinstance(v, str)]
        if values and all(k.strip().lstrip("-").isdigit() for k in keys):
            labels = values
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in value.values()):
            labels = keys
    if 2 <= len(labels) <= MAX_LABELS:
        return tuple(labels)
    return None


class _JsonLocator:
    """Lines and columns of keys and strings in JSON text, found by their quoted spelling (the first
    occurrence; JSON text has no other positions to offer once parsed)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def _at(self, offset: int) -> tuple[int, int]:
        if offset < 0:
            return 1, 1
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.starts[lo] + 1

    def key(self, key: str) -> tuple[int, int]:
        match = re.search(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:", self.text)
        return self._at(match.start() if match else -1)

    def string(self, value: str) -> tuple[int, int]:
        return self._at(self.text.find(json.dumps(value, ensure_ascii=False)))

    def first_of(self, labels: tuple[str, ...]) -> tuple[int, int]:
        return self.string(labels[0])


# --- YAML (the subset configs use) ------------------------------------------------------------------

_KEY_LINE = re.compile(
    r"^(?P<indent>[ ]*)(?P<dash>-[ ]+)?(?P<key>[A-Za-z_][\w.\-]*|\"[^\"]+\"|'[^']+')[ ]*:(?:[ ]+|$)(?P<rest>.*)$"
)
_ITEM_LINE = re.compile(r"^(?P<indent>[ ]*)-[ ]+(?P<rest>.*)$")
# Greedy, and the spaces around key and value stripped by _scalar: lazy quantifiers followed by `[ ]*`
# backtrack quadratically on a long run of spaces (a 20,000-space line took 18 s).
_MAP_ITEM = re.compile(r"^(?P<indent>[ ]*)(?P<key>[^:#\s][^:#]*):[ ]+(?P<value>[^#]*)(?:#.*)?$")


def parse_yaml(text: str) -> Parsed | None:
    if text.lstrip().startswith(("{", "[")):
        return parse_json(text)
    lines = text.splitlines()
    out = Parsed()
    index = 0
    while index < len(lines) and len(out.values) < MAX_VALUES:
        line = lines[index]
        match = _KEY_LINE.match(line)
        if match is None or line.lstrip().startswith("#"):
            index += 1
            continue
        key = match.group("key").strip("\"'").casefold()
        indent = len(match.group("indent")) + (len(match.group("dash")) if match.group("dash") else 0)
        rest = _strip_comment(match.group("rest"))
        out.keys.add(key)
        column = indent + 1
        if rest.startswith("["):
            flow, consumed = _flow_list(lines, index, line.index("[", indent))
            _add_list(out, key, index + 1, column, flow)
            out.values.extend(Value(key, index + 1, column, item) for item in flow if item)
            index += consumed
            continue
        if rest and not rest.startswith(("|", ">", "&", "*", "!")):
            out.values.append(Value(key, index + 1, line.find(rest, indent) + 1, _scalar(rest)))
            index += 1
            continue
        if rest == "" or rest.startswith(("&", "!")):
            block, consumed = _block(lines, index + 1, indent)
            if block:
                _add_list(out, key, index + 1, column, [text for _, _, text in block])
                for number, col, text in block:
                    out.values.append(Value(key, number, col, text))
            index += 1 + consumed if block else 1
            continue
        index += 1
    return out


def _add_list(out: Parsed, key: str, line: int, column: int, items: list[str]) -> None:
    items = [i for i in items if i]
    if key in LABEL_KEYS and 2 <= len(items) <= MAX_LABELS:
        out.label_lists.append(LabelList(key, line, column, tuple(items)))


def _flow_list(lines: list[str], start: int, offset: int) -> tuple[list[str], int]:
    """Items of a flow sequence starting at lines[start][offset] ('['), possibly over several lines."""
    buffer = lines[start][offset + 1 :]
    consumed = 1
    while "]" not in buffer and start + consumed < len(lines) and consumed < 500:
        buffer += " " + _strip_comment(lines[start + consumed])
        consumed += 1
    body = buffer.split("]", 1)[0]
    return [_scalar(part) for part in body.split(",")], consumed


def _block(lines: list[str], start: int, parent_indent: int) -> tuple[list[tuple[int, int, str]], int]:
    """Items of a block sequence ('- angry') or an index mapping ('0: angry' / 'angry: 0') under a key;
    (line, column, text) of each, and how many lines were read. Nested structures end the block."""
    items: list[tuple[int, int, str]] = []
    index = start
    child_indent: int | None = None
    while index < len(lines) and len(items) < MAX_LABELS * 4:
        line = lines[index]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        indent = len(line) - len(line.lstrip(" "))
        item = _ITEM_LINE.match(line)
        if indent < parent_indent or (indent == parent_indent and item is None):
            break
        if child_indent is None:
            child_indent = indent
        if indent != child_indent:
            break
        if item is not None:
            text = _strip_comment(item.group("rest"))
            if _KEY_LINE.match(" " * indent + text) is not None and not text.startswith(("'", '"')):
                break  # a list of mappings: not a label list
            items.append((index + 1, indent + 3, _scalar(text)))
        else:
            mapping = _MAP_ITEM.match(line)
            if mapping is None:
                break
            left, right = _scalar(mapping.group("key")), _scalar(mapping.group("value"))
            if right == "":
                break  # a nested mapping
            if left.lstrip("-").isdigit():
                items.append((index + 1, line.find(mapping.group("value")) + 1, right))
            elif right.lstrip("-").isdigit():
                items.append((index + 1, indent + 1, left))
            else:
                break  # an ordinary mapping, not an index
        index += 1
    return items, index - start


def _strip_comment(text: str) -> str:
    """Drop a trailing ' # comment' outside quotes."""
    quote = ""
    for position, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#" and (position == 0 or text[position - 1] in " \t"):
            return text[:position].rstrip()
    return text.strip()


def _scalar(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text
