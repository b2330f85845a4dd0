"""A byte-level prefilter built from the catalogue: only files that could yield evidence are parsed.

A file is parsed when it holds one of the catalogue's distinctive tokens, and only when the other
tokens that the analyzer would need next to it are there too:

- strong tokens pass alone: emotion-specific method and response-field names (`detect_emotions`,
  `dominant_emotion`), model ids and dataset names (also inside identifiers: `ravdess_df`), and
  the word "emotion" in any case except inside "demotion";
- a package root such as `fer`, `feat` or `google` passes only in an import statement with the rest
  of its import path (`from google.cloud import vision`), or with every other part of a catalogue
  call (`feat.Detector`): each part of a qualified name the analyzer resolves is spelled in the file,
  so this loses nothing, while a variable named `feat` or a link to google.com no longer costs a parse;
- quoted labels ("happy", "black", "normal") pass only when at least `min_match` distinct words of
  one vocabulary are quoted in the file, the analyzer's own threshold for a label list;
- a quoted file name with a model extension passes when a catalogue model-file pattern (other than
  face detectors and expressions, which are never a finding alone) matches its last component.

Tokens are the catalogue's own names, not everyday words: a loose prefilter ("happy", "affect")
matches comments everywhere and costs a full parse per file. On the django sources (2,823 files) a
token-only prefilter sent 63 files to libcst (49 s); this one sends none.

Matching is case-insensitive over `data.lower()` (the analyzer compares labels, model ids and
dataset names case-insensitively; identifiers are checked with their exact case afterwards). It uses
google-re2's multi-pattern Set when installed (`pip install emoscan[fast]`: one linear-time pass that
reports every token, about 5x faster), else one stdlib `re` pattern per token class. Both engines
report the same tokens; the decision is shared code that runs only on files holding a token.
"""

from __future__ import annotations

import enum
import functools
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from scanner.findings import Capability
from scanner.signatures import WORD_SEPARATORS, Catalog, normalise_word

# Label words shorter than this are too common as quoted strings to count ("hap", "neu" codes are
# three letters, so three stays).
_MIN_LABEL_TOKEN = 3
_EMOTION = b"emotion"
_ALNUM_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_WORD_BYTES = _ALNUM_BYTES | {ord("_")}
# Model-file signatures that are never a finding on their own.
_ENABLER_CAPABILITIES = (Capability.BIOMETRIC_INPUT, Capability.EXPRESSION)
# The extension list at the end of a model-file pattern: `\.(?:h5|onnx)$` or `\.onnx$`.
_PATTERN_EXTENSIONS = re.compile(r"\\\.(?:\(\?:([A-Za-z0-9|]+)\)|([A-Za-z0-9]+))\)?\$$")
# Set EMOSCAN_PREFILTER_ENGINE=re to measure or debug the stdlib engine when google-re2 is installed.
ENGINE_VARIABLE = "EMOSCAN_PREFILTER_ENGINE"


def trie_pattern(words: Iterable[str]) -> str:
    """A regular expression equivalent to the alternation of `words`, shaped as a trie so the regex
    engine does not retry every word at every position (4x faster than a flat alternation)."""
    trie: dict[str, Any] = {}
    for word in sorted(set(words)):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _emit(trie)


def _emit(node: dict[str, Any]) -> str:
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


def _lower(word: str) -> str:
    """ASCII-only lowering, as `bytes.lower()` does to the scanned data (so "Радость" stays as is)."""
    return word.encode().lower().decode()


# --- what the catalogue asks for -------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """What must be in a file besides a root identifier for the analyzer to find something: the root
    in an import statement (for a package import), and these other parts of the qualified name."""

    in_import: bool
    words: tuple[str, ...]


@dataclass
class Plan:
    """The tokens and rules derived from one catalogue, before compilation. Token keys are lowercase
    (ASCII); identifiers keep their spellings for the exact check."""

    # lowercase identifier -> exact spellings that pass alone
    strong_identifiers: dict[str, set[str]] = field(default_factory=dict)
    # lowercase identifier -> exact root spelling -> requirements (any one suffices)
    roots: dict[str, dict[str, set[Requirement]]] = field(default_factory=dict)
    literals: set[str] = field(default_factory=set)
    # lowercase label word -> indexes into `thresholds` of the vocabularies holding it
    labels: dict[str, tuple[int, ...]] = field(default_factory=dict)
    thresholds: list[int] = field(default_factory=list)
    model_extensions: set[str] = field(default_factory=set)


def plan(catalog: Catalog) -> Plan:
    out = Plan()
    for package in catalog.packages:
        if package.capability is Capability.BIOMETRIC_INPUT or not package.dedicated:
            # Enablers alone never make a finding, and an import of a package that can do emotion
            # recognition but need not (speechbrain, transformers, boto3) is evidence of enabler
            # strength: the file must also call one of its catalogued APIs (below) or hold another
            # token. A toolkit's own repository imports it in nearly every file.
            continue
        for imp in package.imports:
            _add_root(out, imp.split("."), in_import=True)
    for call in catalog.calls:
        for target in call.targets:
            if target.startswith("."):
                _add_strong(out, target[1:])
            else:
                _add_root(out, target.split("."), in_import=False)
    for name in catalog.field_by_name:
        _add_strong(out, name)
    out.literals = _distinct_literals({_lower(t) for t in literal_tokens(catalog)})
    vocab_index: dict[str, int] = {}
    for vocab in catalog.vocabularies:
        if vocab.capability is Capability.EXPRESSION:
            continue  # expressions (smile, frown) are not emotions
        vocab_index[vocab.id] = len(out.thresholds)
        out.thresholds.append(vocab.min_match)
    # Case variants that lower to one key compare equal to the same vocabulary words: one lookup each.
    for key in {_lower(word) for word in label_tokens(catalog)}:
        owners = {
            vocab_index[v.id] for v in catalog.vocab_words.get(normalise_word(key), ()) if v.id in vocab_index
        }
        if owners:
            out.labels[key] = tuple(sorted(owners))
    for signature in catalog.model_files:
        if signature.capability not in _ENABLER_CAPABILITIES:
            found = _PATTERN_EXTENSIONS.search(signature.pattern)
            if found is not None:
                out.model_extensions.update(_lower(e) for e in (found.group(1) or found.group(2)).split("|"))
    return out


def _add_strong(out: Plan, name: str) -> None:
    if name.isidentifier() and name.isascii():
        out.strong_identifiers.setdefault(name.lower(), set()).add(name)


def _add_root(out: Plan, parts: list[str], in_import: bool) -> None:
    if not all(p.isidentifier() and p.isascii() for p in parts):
        return
    root, rest = parts[0], tuple(parts[1:])
    out.roots.setdefault(root.lower(), {}).setdefault(root, set()).add(Requirement(in_import, rest))


def literal_tokens(catalog: Catalog) -> set[str]:
    """Model ids (their last part, which is what code spells) and dataset names. A dataset name with
    separators is also looked for with the others the analyzer accepts: it compares strings with
    separators removed and splits identifiers into words ("crema_d_path" names CREMA-D)."""
    tokens: set[str] = set()
    for hub_id in catalog.model_by_hub_id:
        tokens.add(hub_id.split("/")[-1])
    for dataset in catalog.datasets:
        for name in dataset.names:
            if len(name) < 4:
                continue
            tokens.add(name)
            parts = [p for p in WORD_SEPARATORS.split(name) if p]
            if len(parts) > 1:
                tokens.update(joiner.join(parts) for joiner in ("", "_", "-", " "))
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


def _distinct_literals(literals: set[str]) -> set[str]:
    """The literals less those holding "emotion" or a shorter literal: any file holding them is
    caught by that token anyway, and every alternative costs scan speed."""
    kept: list[str] = []
    # Shortest first: a word holding a pruned literal also holds the literal that pruned it, so
    # comparing with the kept ones suffices.
    for word in sorted(literals, key=lambda w: (len(w), w)):
        if _EMOTION.decode() not in word and not any(k in word for k in kept):
            kept.append(word)
    return set(kept)


# --- token scanners ----------------------------------------------------------------------------------


class Kind(enum.Enum):
    IDENTIFIER = "identifier"
    LITERAL = "literal"
    LABEL = "label"
    EMOTION = "emotion"
    MODEL_FILE = "model-file"


Token = tuple[Kind, bytes]


class _Scanner(Protocol):
    name: str

    def tokens(self, data: bytes) -> Iterator[Token]:
        """Tokens found in `data`, case-insensitively, as the plan spells them (lowercase; labels
        without quotes); may repeat."""
        ...


def _class_patterns(p: Plan) -> list[tuple[Kind, str, list[str]]]:
    """(class, regex template with `{}` where the alternation of its words goes, words). Labels are
    whole quoted strings, or the end of one after a slash (emotion2vec's '生气/angry', which the
    analyzer reads as "angry"; a prefix pattern before the slash makes RE2's DFA ten times larger), with an optional backslash before the closing quote because notebooks
    hold code as JSON strings (\\"happy\\"). Literals are found anywhere, and their edges checked after
    (`_has_run`): edge conditions in the pattern make both engines several times slower."""
    return [
        (Kind.EMOTION, "{}", [_EMOTION.decode()]),
        (Kind.LITERAL, "({})", sorted(p.literals)),
        (Kind.MODEL_FILE, r"\.({})\\?[\"']", sorted(p.model_extensions)),
        (Kind.LABEL, r"[\"'/]({})\\?[\"']", sorted(p.labels)),
        (Kind.IDENTIFIER, r"\b({})\b", sorted(set(p.strong_identifiers) | set(p.roots))),
    ]


# Lowercase, and make "_" a separator: the stdlib scanner's `\b` then marks where the analyzer's
# words start (it splits identifiers at underscores), for literals as for identifiers.
_FOLD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ_", b"abcdefghijklmnopqrstuvwxyz ")


class _StdlibScanner:
    """Stdlib `re`, whose backtracking engine retries every branch of an alternation at every
    position: it is fast only when a pattern starts with something that fails quickly. So the data is
    folded (`_FOLD`, one C pass) and identifiers and literals share one trie behind a `\\b`, which
    fails at once inside words; the ends of both are checked afterwards, exactly as for RE2's tokens.
    Labels (behind a quote) and model-file extensions (behind a dot) have patterns of their own."""

    name = "re"

    def __init__(self, p: Plan) -> None:
        groups: dict[str, dict[bytes, list[Token]]] = {}
        templates = {"words": r"\b({})", "loose": "({})"}
        for kind, template, words in _class_patterns(p):
            if kind is Kind.EMOTION:
                continue
            for word in words:
                folded = word.encode().translate(_FOLD)
                if kind in (Kind.IDENTIFIER, Kind.LITERAL):
                    # `\b` cannot stand before a word that does not start with a letter or digit.
                    group = "words" if folded[:1].isalnum() else "loose"
                else:
                    group = kind.value
                    templates[group] = template
                groups.setdefault(group, {}).setdefault(folded, []).append((kind, word.encode()))
        self.patterns = [
            (re.compile(templates[name].format(trie_pattern(w.decode() for w in words)).encode()), words)
            for name, words in groups.items()
        ]

    def tokens(self, data: bytes) -> Iterator[Token]:
        folded = data.translate(_FOLD)
        if _EMOTION in folded:
            yield Kind.EMOTION, _EMOTION
        for pattern, words in self.patterns:
            for match in pattern.finditer(folded):
                yield from words[match.group(1)]


class _Re2Scanner:
    """google-re2's RE2::Set: one linear-time pass reports which of all token patterns occur."""

    name = "re2"

    def __init__(self, p: Plan, re2: Any) -> None:
        options = re2.Options()
        options.max_mem = 64 << 20  # the default 8 MiB is too small for ~700 patterns
        options.case_sensitive = False  # no lowered copy of the data: RE2's DFA folds case for free
        self.set = re2.Set.SearchSet(options)
        self.by_index: list[Token] = []
        for kind, template, words in _class_patterns(p):
            for word in words:
                self.set.Add(template.format(re.escape(word)).encode())
                self.by_index.append((kind, word.encode()))
        self.set.Compile()

    def tokens(self, data: bytes) -> Iterator[Token]:
        for index in self.set.Match(data) or ():
            yield self.by_index[index]


def _make_scanner(p: Plan, engine: str | None) -> _Scanner:
    wanted = engine or os.environ.get(ENGINE_VARIABLE, "")
    if wanted != "re":
        try:
            import re2  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            if wanted == "re2":
                raise
        else:
            try:
                return _Re2Scanner(p, re2)
            except Exception:  # a re2 build that rejects a pattern: the stdlib engine still works
                if wanted == "re2":
                    raise
    return _StdlibScanner(p)


# --- the decision ------------------------------------------------------------------------------------


class Prefilter:
    """The compiled prefilter for one catalogue: `matches(data)` is True when the file needs the
    analyzer (see the module docstring for the rules)."""

    def __init__(self, catalog: Catalog, engine: str | None = None) -> None:
        self.plan = plan(catalog)
        p = self.plan
        self.strong = {k.encode(): tuple(s.encode() for s in v) for k, v in p.strong_identifiers.items()}
        self.roots = {
            k.encode(): tuple((root.encode(), tuple(reqs)) for root, reqs in v.items())
            for k, v in p.roots.items()
        }
        self.labels = {k.encode(): v for k, v in p.labels.items()}
        self.thresholds = tuple(p.thresholds)
        self._model_file_patterns = tuple(
            m.pattern for m in catalog.model_files if m.capability not in _ENABLER_CAPABILITIES
        )
        self.scanner = _make_scanner(p, engine)

    # Compiled on first use: only files that hold a catalogue token reach them (a one-file scan of an
    # ordinary file never does).
    @functools.cached_property
    def model_files(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(pattern, re.IGNORECASE) for pattern in self._model_file_patterns)

    @functools.cached_property
    def model_strings(self) -> re.Pattern[bytes] | None:
        if not self.plan.model_extensions:
            return None
        return re.compile(
            rb"[\"']([^\"'\n]{1,300}?\.(?:"
            + trie_pattern(self.plan.model_extensions).encode()
            + rb"))\\?[\"']"
        )

    @property
    def engine(self) -> str:
        return self.scanner.name

    def matches(self, data: bytes) -> bool:
        done: set[Token] = set()
        seen_labels: set[str] = set()
        counts = [0] * len(self.thresholds)
        lowered: bytes | None = None  # made when a check needs it: most files never get that far
        for token in self.scanner.tokens(data):
            if token in done:
                continue
            done.add(token)
            kind, word = token
            if kind is Kind.LABEL:
                label = normalise_word(word.decode("utf-8", "replace"))
                if label in seen_labels:
                    continue
                seen_labels.add(label)
                for index in self.labels.get(word, ()):
                    counts[index] += 1
                    if counts[index] >= self.thresholds[index]:
                        return True
            elif kind is Kind.IDENTIFIER:
                if self._identifier(data, word):
                    return True
            else:
                lowered = data.lower() if lowered is None else lowered
                if kind is Kind.LITERAL:
                    passed = _has_run(lowered, word)
                elif kind is Kind.EMOTION:
                    passed = _has_emotion(data, lowered)
                else:
                    passed = self._model_file(lowered)
                if passed:
                    return True
        return False

    def _identifier(self, data: bytes, word: bytes) -> bool:
        if any(_has_word(data, spelling) for spelling in self.strong.get(word, ())):
            return True
        for root, requirements in self.roots.get(word, ()):
            if any(_satisfied(data, root, r) for r in requirements):
                return True
        return False

    def _model_file(self, lowered: bytes) -> bool:
        if self.model_strings is None:
            return False
        for match in self.model_strings.finditer(lowered):
            name = re.split(rb"[\\/]", match.group(1))[-1].decode("utf-8", "replace")
            if any(pattern.search(name) for pattern in self.model_files):
                return True
        return False


def _satisfied(data: bytes, root: bytes, requirement: Requirement) -> bool:
    if requirement.in_import and not _imported(data, root):
        return False
    return all(_has_word(data, word.encode()) for word in requirement.words)


def _word_positions(data: bytes, word: bytes) -> Iterator[int]:
    """Where `word` occurs as a whole identifier (bytes.find runs at memory speed)."""
    start = data.find(word)
    while start >= 0:
        end = start + len(word)
        if (start == 0 or data[start - 1] not in _WORD_BYTES) and (
            end == len(data) or data[end] not in _WORD_BYTES
        ):
            yield start
        start = data.find(word, start + 1)


def _has_word(data: bytes, word: bytes) -> bool:
    return next(_word_positions(data, word), None) is not None


def _imported(data: bytes, root: bytes) -> bool:
    """`root` appears in an import statement: `import a, root`, `from root.x import y` (also inside a
    notebook's JSON strings). `from x import root` passes too, which costs a parse, never a finding."""
    for position in _word_positions(data, root):
        line_start = data.rfind(b"\n", 0, position) + 1
        statement_start = data.rfind(b";", line_start, position) + 1
        before = data[max(line_start, statement_start) : position]
        if b"import" in before or before.rstrip().endswith(b"from"):
            return True
    return False


def _has_run(lowered: bytes, word: bytes) -> bool:
    """`word` (a model id or dataset name) occurs where the analyzer can see it: in a string, a path
    or an identifier (`ravdess_df`, `load_fer2013`), not inside a longer word (`CheckDefaultConfig`
    does not name KDEF). The analyzer splits identifiers into runs of letters and of digits, so a
    letter may not touch a letter, nor a digit a digit."""
    # At the start, a letter or a digit before the name both disqualify it ("2ravdess" is not looked
    # for), which is what a `\b` before the name means: the stdlib engine finds names that way.
    first = _ALNUM_BYTES if _run_class(word[0]) is not None else None
    last = _run_class(word[-1])
    start = lowered.find(word)
    while start >= 0:
        end = start + len(word)
        if (start == 0 or first is None or lowered[start - 1] not in first) and (
            end == len(lowered) or last is None or lowered[end] not in last
        ):
            return True
        start = lowered.find(word, start + 1)
    return False


_LETTERS = frozenset(b"abcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset(b"0123456789")


def _run_class(byte: int) -> frozenset[int] | None:
    if byte in _LETTERS:
        return _LETTERS
    if byte in _DIGITS:
        return _DIGITS
    return None


def _has_emotion(data: bytes, lowered: bytes) -> bool:
    """ "emotion" in any case, except inside the word "demotion" (a database and HR term)."""
    start = lowered.find(_EMOTION)
    while start >= 0:
        if start == 0 or lowered[start - 1] != ord("d"):
            return True
        # "detectedEmotion" (camel case) and "predictedemotion" (the d ends a longer word) count.
        if data[start] == ord("E") and data[start - 1] == ord("d"):
            return True
        if start >= 2 and lowered[start - 2] in _ALNUM_BYTES:
            return True
        start = lowered.find(_EMOTION, start + 1)
    return False


_BUILT: dict[int, tuple[Catalog, Prefilter]] = {}


def build(catalog: Catalog) -> Prefilter:
    """The compiled prefilter for `catalog`, built once per catalogue object (hashing a Catalog would
    walk every entry, so the cache is keyed by identity and keeps the catalogue alive)."""
    cached = _BUILT.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return cached[1]
    prefilter = Prefilter(catalog)
    _BUILT[id(catalog)] = (catalog, prefilter)
    return prefilter


def matches(catalog: Catalog, data: bytes) -> bool:
    return build(catalog).matches(data)
