"""Match a set of label strings (a list literal, an id2label map, a labels file) against the catalogue's
vocabularies. Shared by every analyzer so a label list means the same thing in code and in a model."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from scanner.findings import Capability
from scanner.signatures import Catalog, Vocabulary, normalise_word


@dataclass(frozen=True)
class LabelMatch:
    vocabulary: Vocabulary
    matched: tuple[str, ...]  # the original strings that matched, in input order
    total: int  # how many labels were given

    @property
    def capability(self) -> Capability:
        return self.vocabulary.capability

    @property
    def strong(self) -> bool:
        """Most of a short list, or many words: a classifier's label set rather than prose."""
        return len(self.matched) >= 5 or (len(self.matched) >= 3 and len(self.matched) * 2 >= self.total)


# A label list longer than this is a word list (a lexicon, a stop-word list), not a classifier's
# output classes; matching it would flag dictionaries.
MAX_LABELS = 64


def match_labels(labels: Iterable[str], catalog: Catalog) -> list[LabelMatch]:
    """Every vocabulary whose `min_match` is reached by distinct words in `labels`, best first."""
    items = [s for s in labels if isinstance(s, str) and 0 < len(s) <= 64]
    if len(items) < 2 or len(items) > MAX_LABELS:
        return []
    if in_other_context(items, catalog):
        return []
    per_vocab: dict[str, tuple[Vocabulary, dict[str, str]]] = {}
    index = catalog.vocab_words
    for original in items:
        key = normalise_word(_strip_prefix(original))
        for vocab in index.get(key, ()):
            _, seen = per_vocab.setdefault(vocab.id, (vocab, {}))
            seen.setdefault(key, original)
    matches = [
        LabelMatch(vocab, tuple(seen.values()), len(items))
        for vocab, seen in per_vocab.values()
        if len(seen) >= vocab.min_match
    ]
    # On a tie, the more specific vocabulary wins: one that names a modality, then the stricter one.
    matches.sort(
        key=lambda m: (
            -len(m.matched),
            m.vocabulary.modality is None,
            -m.vocabulary.min_match,
            m.vocabulary.id,
        )
    )
    return matches


def in_other_context(labels: Iterable[str], catalog: Catalog) -> bool:
    """True when two words of the list belong to a context where emotion words describe no person: a
    music mood tag set (energetic, epic, dreamy), TTS speaking styles (whispering, newscast)."""
    index = catalog.context_label_words
    if not index:
        return False
    seen: dict[str, set[str]] = {}
    for label in labels:
        for part in re.split(r"[/,|]", label):
            key = normalise_word(part)
            context = index.get(key)
            if context is not None:
                seen.setdefault(context.id, set()).add(key)
                if len(seen[context.id]) >= 2:
                    return True
    return False


# A class number written before the label ('1Neutral', '03_happy', '5-angry'): class folders and label
# tuples sorted by hand (RAVDESS numbers its emotions 01-08) carry it.
_ORDINAL = re.compile(r"^\d{1,2}[\s._:)\-]*(?=[^\W\d_])")


def _strip_prefix(label: str) -> str:
    """emotion2vec writes '生气/angry'; SpeechBrain writes "'neu' => 0"; class folders are numbered
    ('3Happy'). Keep the comparable part."""
    if "/" in label:
        label = label.rsplit("/", 1)[1]
    if "=>" in label:
        label = label.split("=>", 1)[0]
    return _ORDINAL.sub("", label.strip().strip("'\""))
