"""Label files beside a model: `labels.txt`, `classes.txt`, `class_names.txt`, SpeechBrain's
`label_encoder.txt` ("'neu' => 0") and token lists (`tokens.txt`, where emotion2vec writes '生气/angry' and
SenseVoice-style vocabularies carry '<|HAPPY|>' among thousands of ordinary tokens)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from scanner.analyzers.model_common import LabelSource, ModelFacts, Place, build_evidence
from scanner.analyzers.text import TextError, decode, looks_binary, read_bytes
from scanner.discovery import Artifact
from scanner.findings import EvidenceKind, FileOutcome
from scanner.labels import MAX_LABELS, match_labels
from scanner.signatures import Catalog, normalise_word

_SPEECHBRAIN = re.compile(r"^'(.*)'\s*=>\s*-?\d+$")
_LEADING_INDEX = re.compile(r"^\d+\s*[:,;\t ]\s*")
_TRAILING_INDEX = re.compile(r"\s*[:,;\t ]\s*-?\d+$")
_SPECIAL_TOKEN = re.compile(r"^<\|?[^<>|\s]{1,40}\|?>$")
# SpeechBrain's encoder writes bookkeeping entries beside the labels.
_BOOKKEEPING = frozenset({"starting_index", "unk_label", "bos_label", "eos_label", "blank_label"})


def analyze(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    try:
        data = read_bytes(artifact)
        if looks_binary(data):
            return FileOutcome()  # a binary tokens.txt (a sentencepiece model renamed) holds no label lines
        text = decode(data, artifact.path)
    except TextError as exc:
        return FileOutcome(notices=(exc.notice,))
    entries = parse_label_lines(text)
    if len(entries) > MAX_LABELS:
        # A large vocabulary is not a label list, but its special tokens can be (SenseVoice emotion tags).
        entries = [(label, line) for label, line in entries if _SPECIAL_TOKEN.match(label)]
    if len(entries) < 2 or len(entries) > MAX_LABELS:
        return FileOutcome()
    labels = tuple(label for label, _ in entries)
    name = PurePosixPath(artifact.path).name
    facts = ModelFacts(check_file_name=False)
    facts.labels.append(
        LabelSource(labels, Place(line=_first_matched_line(entries, catalog)), f"{name}", own_outputs=False)
    )
    return FileOutcome(evidence=build_evidence(artifact, catalog, facts, EvidenceKind.MODEL_CONFIG))


def parse_label_lines(text: str) -> list[tuple[str, int]]:
    """(label, line number) for each line that holds a label, in the formats label files use:
    'angry', '0 angry', '0: angry', 'angry,0', "'neu' => 0"."""
    entries: list[tuple[str, int]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#") or not re.search(r"\w", line):
            continue
        speechbrain = _SPEECHBRAIN.match(line)
        if speechbrain:
            label = speechbrain.group(1)
            if label not in _BOOKKEEPING:
                entries.append((label, number))
            continue
        label = _TRAILING_INDEX.sub("", _LEADING_INDEX.sub("", line))
        label = re.split(r"[\t,;]", label, maxsplit=1)[0].strip().strip("'\"")
        if label and len(label) <= 64:
            entries.append((label, number))
    return entries


def _first_matched_line(entries: list[tuple[str, int]], catalog: Catalog) -> int:
    """The line of the first label that matched a vocabulary, so the finding points at the labels."""
    matches = match_labels([label for label, _ in entries], catalog)
    if not matches:
        return entries[0][1]
    matched = {normalise_word(m) for m in matches[0].matched}
    for label, line in entries:
        if normalise_word(label) in matched or normalise_word(label.rsplit("/", 1)[-1]) in matched:
            return line
    return entries[0][1]
