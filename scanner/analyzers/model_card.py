"""Model cards: the YAML front matter of a Hugging Face README.md (pipeline_tag, tags, datasets,
base_model, model-index name; a Space's models list) and, for a real model card only, its title and
intended-use section.

Every README.md in a scan gets this kind, so the common case (no front matter, or a blog post's front
matter) returns after reading eight bytes. The front matter is read with a small line parser for the
flat keys cards use; no YAML library runs on scanned text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scanner.analyzers.model_common import (
    ModelFacts,
    NameSource,
    Place,
    build_evidence,
    error_notice,
    modality_from_pipeline_tag,
)
from scanner.analyzers.text import TextError, decode
from scanner.discovery import Artifact
from scanner.findings import EvidenceKind, FileOutcome, Modality, NoticeKind
from scanner.signatures import Catalog

# Front matter is at the top; a card's is rarely over a few hundred lines, the body is read up to this.
MAX_CARD_BYTES = 2 * 1024 * 1024
_MODEL_KEYS = frozenset(
    {"pipeline_tag", "library_name", "base_model", "model-index", "model_name", "models", "sdk", "inference"}
)
_DATASET_CARD_KEYS = frozenset(
    {
        "task_categories",
        "task_ids",
        "dataset_info",
        "size_categories",
        "configs",
        "pretty_name",
        "annotations_creators",
    }
)
_LIBRARY_MODALITY = {
    "speechbrain": Modality.VOICE,
    "nemo": Modality.VOICE,
    "espnet": Modality.VOICE,
    "funasr": Modality.VOICE,
    "timm": Modality.FACE,
    "sentence-transformers": Modality.TEXT,
    "setfit": Modality.TEXT,
}
_INTENDED_USE = re.compile(r"^(#{1,6})\s+.*\b(intended|uses?|use cases?|purpose)\b", re.IGNORECASE)


@dataclass
class FrontMatter:
    """Values per top-level key, each with its 1-based line in the README."""

    values: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    end_line: int = 0  # line of the closing '---'

    def first(self, key: str) -> tuple[str, int] | None:
        items = self.values.get(key)
        return items[0] if items else None


def analyze(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    try:
        with artifact.open() as handle:
            head = handle.read(8)
            if not head.lstrip(b"\xef\xbb\xbf").startswith(b"---"):
                return FileOutcome()
            data = head + handle.read(MAX_CARD_BYTES - len(head))
        text = decode(data, artifact.path)
    except OSError as exc:
        return FileOutcome(
            notices=(
                error_notice(artifact, NoticeKind.READ_ERROR, f"cannot read file: {exc.strerror or exc}"),
            )
        )
    except TextError as exc:
        return FileOutcome(notices=(exc.notice,))
    front = parse_front_matter(text)
    if front is None or not _is_model_card(front):
        return FileOutcome()
    facts = _card_facts(front, text.splitlines())
    return FileOutcome(evidence=build_evidence(artifact, catalog, facts, EvidenceKind.MODEL_CONFIG))


def parse_front_matter(text: str) -> FrontMatter | None:
    """The flat YAML subset model cards use: `key: value`, `key: [a, b]`, and `key:` followed by
    `- item` lines. Nested mappings are skipped except the first `name:` under model-index."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    front = FrontMatter()
    key: str | None = None
    for number, raw in enumerate(lines[1:], start=2):
        stripped = raw.strip()
        if stripped in ("---", "..."):
            front.end_line = number
            return front
        if not stripped or stripped.startswith("#"):
            continue
        if not raw.startswith((" ", "\t", "-")):
            key = _top_level(stripped, number, front)
        elif key is not None:
            _nested(key, stripped, number, front)
    return None  # never closed: not front matter


def _top_level(line: str, number: int, front: FrontMatter) -> str | None:
    match = re.match(r"^([A-Za-z0-9_.-]+)\s*:\s*(.*)$", line)
    if match is None:
        return None
    key, rest = match.group(1), match.group(2).strip()
    items = front.values.setdefault(key, [])
    if rest and not rest.startswith(("|", ">", "#")):
        items.extend((value, number) for value in _scalar_or_flow(rest))
    return key


def _nested(key: str, line: str, number: int, front: FrontMatter) -> None:
    item = line[1:].strip() if line.startswith("-") else None
    if key == "model-index":
        match = re.match(r"^(?:-\s*)?name\s*:\s*(.+)$", line)
        if match and "model-index.name" not in front.values:
            front.values["model-index.name"] = [(_unquote(match.group(1)), number)]
        return
    if item is not None and item and not re.match(r"^[A-Za-z0-9_.-]+\s*:", item):
        front.values[key].extend((value, number) for value in _scalar_or_flow(item))


def _scalar_or_flow(text: str) -> list[str]:
    comment = re.search(r"\s#", text)  # linear, unlike `\s+#.*$` over a long run of spaces
    text = (text[: comment.start()] if comment is not None else text).strip()
    if text.startswith("[") and text.endswith("]"):
        return [_unquote(p) for p in text[1:-1].split(",") if p.strip()]
    return [_unquote(text)] if text else []


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _is_model_card(front: FrontMatter) -> bool:
    """A model card or a Space card, not a dataset card, blog post or docs page."""
    keys = set(front.values)
    if keys & _MODEL_KEYS:
        return True
    return bool(keys & {"tags", "datasets"}) and "license" in keys and not keys & _DATASET_CARD_KEYS


def _card_facts(front: FrontMatter, lines: list[str]) -> ModelFacts:
    facts = ModelFacts(check_file_name=False)
    tag = front.first("pipeline_tag")
    if tag is not None:
        facts.set_modality(modality_from_pipeline_tag(tag[0]), f"pipeline_tag {tag[0]}")
    library = front.first("library_name")
    if library is not None:
        facts.set_modality(
            _LIBRARY_MODALITY.get(library[0].casefold(), Modality.UNKNOWN), f"library {library[0]}"
        )
    for key, description in (
        ("model-index.name", "model card name"),
        ("model_name", "model card model_name"),
        ("base_model", "model card base_model"),
        ("models", "card models"),
        ("datasets", "model card datasets"),
        ("tags", "model card tags"),
    ):
        for value, line in front.values.get(key, ()):
            facts.names.append(NameSource(value, Place(logical=key, line=line), description))
    facts.names.extend(_body_prose(lines, front.end_line))
    return facts


def _body_prose(lines: list[str], start: int) -> list[NameSource]:
    """The card's title and its intended-use section, as prose: only phrases about recognising emotions
    count, so a card that merely mentions feelings in passing is not a finding."""
    found: list[NameSource] = []
    section_level = 0
    section_lines = 0
    for number in range(start + 1, min(len(lines), start + 4000) + 1):
        line = lines[number - 1]
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            level = len(heading.group(1))
            if level == 1 and not any(s.description == "model card title" for s in found):
                found.append(
                    NameSource(heading.group(2), Place(logical="title", line=number), "model card title")
                )
            if section_level and level <= section_level:
                section_level = 0
            if _INTENDED_USE.match(line):
                section_level, section_lines = level, 0
            continue
        if section_level and line.strip() and section_lines < 80:
            section_lines += 1
            found.append(
                NameSource(line, Place(logical="intended use", line=number), "model card intended use", True)
            )
    return found
