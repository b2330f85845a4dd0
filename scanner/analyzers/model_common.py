"""What every model-file and model-config analyzer shares.

A format reader (ONNX, safetensors, a Hugging Face config, ...) only gathers *facts*: label lists it found
and where, names and descriptions the model declares, a shape fingerprint, the input modality. This module
turns facts into Evidence the same way for every format, so a label list, a hub id or a 48x48 grayscale
7-class classifier means the same thing whatever file it came from.

Nothing here executes or deserialises scanned content; readers hand over plain strings and integers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from scanner.discovery import Artifact
from scanner.findings import (
    Capability,
    Evidence,
    EvidenceKind,
    Location,
    Modality,
    Notice,
    NoticeKind,
    Strength,
)
from scanner.labels import LabelMatch, match_labels
from scanner.signatures import Catalog, DatasetSignature, ModelSignature, normalise_word

# --- limits -----------------------------------------------------------------------------------------
# Strings longer than this are never label or name candidates; reading them would only cost memory.
MAX_NAME_CHARS = 512
# Free text (descriptions, doc strings, chat templates) is searched up to this many characters.
MAX_PROSE_CHARS = 256 * 1024
# JSON embedded in a model (safetensors header, Keras config, metadata values) is parsed up to this size.
MAX_EMBEDDED_JSON = 16 * 1024 * 1024

# Synthetic signature ids for what the catalogue cannot hold as data: structural fingerprints.
FP_FER2013 = "fingerprint.fer2013_cnn"
FP_FERPLUS = "fingerprint.ferplus_cnn"
FP_EMOTION_NAME = "fingerprint.emotion_name"

INSTALL_HINT = 'pip install "emoscan[models]"'


class ModelFormatError(Exception):
    """The bytes do not hold what the format promises; the message names the problem precisely."""


# --- facts ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where inside the artifact a fact sits: a text line, or a logical path inside a binary model."""

    logical: str | None = None
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class LabelSource:
    labels: tuple[str, ...]
    place: Place
    description: str  # "config.json id2label", "ONNX metadata_props['labels']"
    # The model's own output classes (id2label, ZipMap labels): a strong match there is direct evidence.
    own_outputs: bool


@dataclass(frozen=True)
class NameSource:
    """A declared name, id, tag, dataset or description of the model."""

    text: str
    place: Place
    description: str  # "_name_or_path", "card tags", "ONNX doc_string"
    prose: bool = False  # free text: only emotion-recognition phrases count, not bare tokens


@dataclass(frozen=True)
class Fingerprint:
    signature_id: str
    summary: str
    place: Place
    modality: Modality


@dataclass
class ModelFacts:
    labels: list[LabelSource] = field(default_factory=list)
    names: list[NameSource] = field(default_factory=list)
    fingerprints: list[Fingerprint] = field(default_factory=list)
    modality: Modality = Modality.UNKNOWN
    modality_reason: str = ""
    # Also match the artifact's own file name against the catalogue's model-file patterns.
    check_file_name: bool = True

    def set_modality(self, modality: Modality, reason: str) -> None:
        """First structural reason wins: inputs and architecture are read before weaker hints."""
        if self.modality is Modality.UNKNOWN and modality is not Modality.UNKNOWN:
            self.modality = modality
            self.modality_reason = reason


# --- evidence ---------------------------------------------------------------------------------------


def build_evidence(
    artifact: Artifact, catalog: Catalog, facts: ModelFacts, kind: EvidenceKind
) -> tuple[Evidence, ...]:
    """One Evidence per independent signal and signature: correlation counts them to rate confidence,
    so the same vocabulary seen twice in one file (metadata and ZipMap) is kept once, strongest first."""
    best: dict[str, Evidence] = {}
    for evidence in _label_evidence(artifact, catalog, facts, kind):
        _keep(best, evidence)
    for evidence in _name_evidence(artifact, catalog, facts, kind):
        _keep(best, evidence)
    for fp in facts.fingerprints:
        _keep(
            best,
            Evidence(
                kind=kind,
                signature_id=fp.signature_id,
                location=_location(artifact, fp.place),
                summary=fp.summary,
                modality=fp.modality,
                capability=Capability.EMOTION,
                strength=Strength.ARTIFACT,
            ),
        )
    if facts.check_file_name:
        for evidence in file_name_evidence(artifact, catalog, facts.modality, kind):
            _keep(best, evidence)
    return tuple(best.values())


def _keep(best: dict[str, Evidence], evidence: Evidence) -> None:
    current = best.get(evidence.signature_id)
    if current is None or (evidence.strength, -len(evidence.labels)) < (
        current.strength,
        -len(current.labels),
    ):
        best[evidence.signature_id] = evidence


def _location(artifact: Artifact, place: Place) -> Location:
    return Location(artifact.path, place.line, place.column, logical=place.logical)


def _label_evidence(
    artifact: Artifact, catalog: Catalog, facts: ModelFacts, kind: EvidenceKind
) -> Iterator[Evidence]:
    for source in facts.labels:
        for match in best_per_capability(match_labels(source.labels, catalog)):
            vocab = match.vocabulary
            modality = facts.modality
            if modality is Modality.UNKNOWN and vocab.modality is not None:
                modality = vocab.modality
            direct = source.own_outputs and match.strong
            why = f" ({modality.value}: {facts.modality_reason})" if facts.modality_reason else ""
            yield Evidence(
                kind=kind,
                signature_id=vocab.id,
                location=_location(artifact, source.place),
                summary=(
                    f"{source.description} holds {match.total} labels; {len(match.matched)} match "
                    f"{vocab.summary!r}: {', '.join(match.matched)}{why}"
                ),
                modality=modality,
                capability=match.capability,
                strength=Strength.DIRECT if direct else Strength.ARTIFACT,
                labels=match.matched,
            )


def best_per_capability(matches: Sequence[LabelMatch]) -> list[LabelMatch]:
    """A FER list also matches broader vocabularies; one label signal per capability is enough."""
    chosen: dict[Capability, LabelMatch] = {}
    for match in matches:  # already best first
        chosen.setdefault(match.capability, match)
    return list(chosen.values())


def _name_evidence(
    artifact: Artifact, catalog: Catalog, facts: ModelFacts, kind: EvidenceKind
) -> Iterator[Evidence]:
    for source in facts.names:
        text = source.text[:MAX_PROSE_CHARS] if source.prose else source.text[:MAX_NAME_CHARS]
        location = _location(artifact, source.place)
        models = catalogue_models_in(text, catalog)
        for model in models:
            yield _model_evidence(model, source, location, kind)
        datasets = [] if source.prose else datasets_in(text, catalog)
        for dataset in datasets:
            modality = dataset.modality if facts.modality is Modality.UNKNOWN else facts.modality
            yield Evidence(
                kind=kind,
                signature_id=dataset.id,
                location=location,
                summary=f"{source.description} names the emotion dataset {dataset.summary}: {_quote(text)}",
                modality=modality,
                capability=dataset.capability,
                strength=Strength.ARTIFACT,
                labels=(),
            )
        if models or datasets:
            continue
        term = prose_term(text) if source.prose else identifier_term(text)
        if term is not None:
            yield Evidence(
                kind=kind,
                signature_id=FP_EMOTION_NAME,
                location=location,
                summary=f"{source.description} says the model does emotion recognition ({term!r}): {_quote(text)}",
                modality=facts.modality,
                capability=Capability.EMOTION,
                strength=Strength.ARTIFACT,
            )


def _model_evidence(
    model: ModelSignature, source: NameSource, location: Location, kind: EvidenceKind
) -> Evidence:
    return Evidence(
        kind=kind,
        signature_id=model.id,
        location=location,
        summary=f"{source.description} names the catalogued emotion model {model.hub_ids[0]} ({model.summary})",
        modality=model.modality,
        capability=model.capability,
        strength=Strength.DIRECT,
    )


def _quote(text: str, limit: int = 120) -> str:
    one_line = " ".join(text.split())
    return repr(one_line if len(one_line) <= limit else one_line[: limit - 3] + "...")


def file_name_evidence(
    artifact: Artifact, catalog: Catalog, modality: Modality, kind: EvidenceKind = EvidenceKind.MODEL_FILE
) -> list[Evidence]:
    """The artifact's own file name against the catalogue's model-file patterns (emotion-ferplus-8.onnx).
    It keeps the analyzer's evidence kind, so correlation scopes it to the model's folder with the rest
    of the model's evidence (a FILE_NAME kind would be scoped to the file alone)."""
    name = PurePosixPath(artifact.path).name
    if not catalog.model_files or not catalog.model_file_regex.search(name):
        return []
    found: list[Evidence] = []
    for signature in catalog.model_files:
        if re.search(signature.pattern, name, re.IGNORECASE):
            found.append(
                Evidence(
                    kind=kind,
                    signature_id=signature.id,
                    location=Location(artifact.path, 1, 1, logical="file name"),
                    summary=f"file name {name!r} is the {signature.summary}",
                    modality=signature.modality if modality is Modality.UNKNOWN else modality,
                    capability=signature.capability,
                    strength=Strength.ARTIFACT,
                )
            )
    return found


# --- names, ids and terms ---------------------------------------------------------------------------

_HUB_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")


def catalogue_models_in(text: str, catalog: Catalog) -> list[ModelSignature]:
    """Catalogued hub ids named in `text`: the whole value, or any owner/name pair inside a path or URL
    (`/models/trpakov/vit-face-expression/checkpoint-500`, `https://huggingface.co/<id>/resolve/...`)."""
    index = catalog.model_by_hub_id
    if not index:
        return []
    found: dict[str, ModelSignature] = {}
    for token in re.split(r"[\s\"'`,;()<>\[\]{}|]+", text):
        if "/" not in token:
            continue
        parts = [p for p in token.split("/") if p]
        for owner, name in pairwise(parts):
            if _HUB_SEGMENT.match(owner) and _HUB_SEGMENT.match(name):
                model = index.get(f"{owner}/{name}".casefold())
                if model is not None:
                    found.setdefault(model.id, model)
    return list(found.values())


def name_tokens(text: str) -> list[str]:
    """Lower-case word and number tokens, splitting camel case: 'Wav2Vec2ForEmotionRecognition' ->
    ['wav', '2', 'vec', '2', 'for', 'emotion', 'recognition']."""
    return [t.lower() for t in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", text)]


def datasets_in(text: str, catalog: Catalog) -> list[DatasetSignature]:
    """Catalogued emotion datasets named in an identifier, tag or list entry ('vit-base-fer2013',
    'msambare/fer2013', 'RAVDESS'). Windows of up to three tokens are joined, as the catalogue's names
    are compared without separators."""
    index = catalog.dataset_by_name
    if not index:
        return []
    found: dict[str, DatasetSignature] = {}
    whole = index.get(normalise_word(text))
    if whole is not None:
        found[whole.id] = whole
    tokens = re.findall(r"[a-z]+|\d+", text.casefold())
    for size in (3, 2, 1):
        for start in range(len(tokens) - size + 1):
            dataset = index.get("".join(tokens[start : start + size]))
            if dataset is not None:
                found.setdefault(dataset.id, dataset)
    return list(found.values())


# Tokens of identifiers (model names, tags, class and layer names) that say "emotion recognition".
# Short ones (fer, ser, emo) only count as whole tokens of an identifier, never inside prose.
_EMOTION_TOKENS = frozenset(
    {"emotion", "emotions", "emo", "fer", "ferplus", "ser", "affectnet", "ravdess", "iemocap"}
)
_EMOTION_PAIRS = frozenset(
    {
        ("fer", "plus"),
        ("raf", "db"),
        ("crema", "d"),
        ("msp", "podcast"),
        ("go", "emotions"),
        ("facial", "expression"),
        ("facial", "expressions"),
        ("face", "expression"),
        ("face", "expressions"),
        ("superb", "er"),
        ("speech", "emotion"),
        ("emotional", "speech"),
    }
)


def identifier_term(text: str) -> str | None:
    """The emotion term an identifier holds, or None ('wav2vec2-lg-xlsr-en-speech-emotion-recognition',
    'emotion-ferplus-8', 'EmotionModel')."""
    tokens = name_tokens(text)
    for token in tokens:
        if token in _EMOTION_TOKENS:
            return token
        # 'emotionnet', 'emotiondetector'; not 'emotional' support, 'demotion' or 'promotion'.
        if "emotion" in token and not re.search(r"emotional|demotion|promotion", token):
            return token
    for pair in pairwise(tokens):
        if pair in _EMOTION_PAIRS:
            return " ".join(pair)
    return None


# Prose counts only when it speaks of recognising emotions, not of being emotionally supportive.
_VERBS = r"(?:detect|recogni[sz]|classif|analy[sz]|infer|identif|predict|estimat|measur|monitor|track|read)"
_PROSE_TERMS = re.compile(
    rf"\b{_VERBS}\w*\W+(?:\w+\W+){{0,4}}?emotions?\b"
    rf"|\bemotions?\W+(?:\w+\W+){{0,3}}?{_VERBS}\w*"
    r"|\bemotion[- ](?:recognition|detection|classification|analysis|classifier|detector|model)\b"
    r"|\bfacial[- ]expressions?\b|\bspeech[- ]emotion\b|\baffective[- ]computing\b"
    r"|\bemotional[- ](?:tone|state)s?\b|\baffect(?:ive)?[- ](?:recognition|detection|states?)\b"
    r"|\bemotie(?:herkenning|detectie)\b|\bemotionserkennung\b|\breconnaissance des émotions\b"
    r"|\breconocimiento de emociones\b|情绪识别|情感识别|感情認識",
    re.IGNORECASE,
)


def prose_term(text: str) -> str | None:
    match = _PROSE_TERMS.search(text[:MAX_PROSE_CHARS])
    return " ".join(match.group(0).split()) if match else None


# --- modality ---------------------------------------------------------------------------------------

_AUDIO_PREFIXES = (
    "wav2vec2", "hubert", "wavlm", "whisper", "unispeech", "data2vecaudio", "sew", "speecht5",
    "seamless", "mctct", "clap", "encodec", "audio", "speech", "ast", "emotion2vec", "ecapa", "vits",
)  # fmt: skip
_IMAGE_PREFIXES = (
    "vit", "deit", "beit", "swin", "convnext", "resnet", "efficientnet", "mobilenet", "mobilevit",
    "regnet", "dinov2", "levit", "poolformer", "cvt", "dit", "bit", "vgg", "densenet", "inception",
    "xception", "focalnet", "efficientformer", "hiera", "pvt", "image", "vision", "clip", "siglip",
)  # fmt: skip
_TEXT_PREFIXES = (
    "bert", "roberta", "xlmroberta", "distilbert", "camembert", "flaubert", "electra", "deberta",
    "albert", "mpnet", "xlnet", "longformer", "bart", "mbart", "t5", "mt5", "gpt", "llama", "mistral",
    "qwen", "gemma", "phi", "opt", "bloom", "falcon", "ernie", "funnel", "squeezebert", "mobilebert",
    "canine", "modernbert", "robbert",
)  # fmt: skip
_AUDIO_SUFFIXES = (
    "foraudioclassification", "forspeechclassification", "forctc", "forxvector",
    "foraudioframeclassification",
)  # fmt: skip
_IMAGE_SUFFIXES = (
    "forimageclassification", "forobjectdetection", "forvideoclassification", "forsemanticsegmentation",
)  # fmt: skip


def modality_from_architecture(name: str) -> Modality:
    """Modality of a Hugging Face architecture or model_type ('Wav2Vec2ForSequenceClassification',
    'vit', 'xlm-roberta'): the audio and image families first, as they too have 'SequenceClassification'."""
    key = re.sub(r"[^a-z0-9]", "", name.casefold())
    if not key:
        return Modality.UNKNOWN
    if key.startswith(_AUDIO_PREFIXES) or key.endswith(_AUDIO_SUFFIXES):
        return Modality.VOICE
    if key.startswith(_IMAGE_PREFIXES) or key.endswith(_IMAGE_SUFFIXES):
        return Modality.FACE
    if key.startswith(_TEXT_PREFIXES) or key.endswith(
        ("forsequenceclassification", "fortokenclassification")
    ):
        return Modality.TEXT
    return Modality.UNKNOWN


_PIPELINE_MODALITY = {
    "image-classification": Modality.FACE,
    "image-feature-extraction": Modality.FACE,
    "object-detection": Modality.FACE,
    "video-classification": Modality.FACE,
    "zero-shot-image-classification": Modality.FACE,
    "image-to-text": Modality.FACE,
    "audio-classification": Modality.VOICE,
    "automatic-speech-recognition": Modality.VOICE,
    "audio-to-audio": Modality.VOICE,
    "voice-activity-detection": Modality.VOICE,
    "text-classification": Modality.TEXT,
    "token-classification": Modality.TEXT,
    "zero-shot-classification": Modality.TEXT,
    "text-generation": Modality.TEXT,
    "text2text-generation": Modality.TEXT,
    "fill-mask": Modality.TEXT,
    "sentence-similarity": Modality.TEXT,
    "feature-extraction": Modality.TEXT,
    "summarization": Modality.TEXT,
    "translation": Modality.TEXT,
    "question-answering": Modality.TEXT,
    "image-text-to-text": Modality.MULTIMODAL,
    "audio-text-to-text": Modality.MULTIMODAL,
    "video-text-to-text": Modality.MULTIMODAL,
    "any-to-any": Modality.MULTIMODAL,
}


def modality_from_pipeline_tag(tag: str) -> Modality:
    return _PIPELINE_MODALITY.get(tag.strip().casefold(), Modality.UNKNOWN)


_AUDIO_INPUT_NAMES = re.compile(
    r"audio|wav|speech|waveform|pcm|input_values|input_features|mel|fbank|spectrogram", re.I
)
_TEXT_INPUT_NAMES = re.compile(r"input_ids|token|attention_mask|text", re.I)


def modality_from_input(name: str, dims: Sequence[int | str | None], integer: bool) -> Modality:
    """Modality of a model input from its name, type and shape: integer token ids are text; audio names
    win over shape (a 1-channel spectrogram looks like an image); then NCHW/NHWC images with 1 or 3
    channels; then long float sequences (raw waveforms)."""
    if integer and _TEXT_INPUT_NAMES.search(name):
        return Modality.TEXT
    if not integer and _AUDIO_INPUT_NAMES.search(name):
        return Modality.VOICE
    if image_layout(dims) is not None:
        return Modality.FACE
    if not integer and 2 <= len(dims) <= 3:
        last = dims[-1]
        if isinstance(last, int) and last >= 8000:
            return Modality.VOICE
    return Modality.UNKNOWN


def image_layout(dims: Sequence[int | str | None]) -> tuple[int, int, int] | None:
    """(channels, height, width) of a 4-D image input in NCHW or NHWC, or None. Symbolic height and
    width (dynamic axes) give a size of 0."""
    if len(dims) != 4:
        return None
    _, a, b, c = dims
    if isinstance(a, int) and a in (1, 3) and _spatial(b) is not None and _spatial(c) is not None:
        return a, _spatial(b) or 0, _spatial(c) or 0
    if isinstance(c, int) and c in (1, 3) and _spatial(a) is not None and _spatial(b) is not None:
        return c, _spatial(a) or 0, _spatial(b) or 0
    return None


def _spatial(dim: int | str | None) -> int | None:
    """A plausible image side: an int of at least 16, or 0 for a symbolic one; None otherwise."""
    if isinstance(dim, int):
        return dim if dim >= 16 else None
    return 0


def fer_fingerprint(
    channels: int, height: int, width: int, classes: int | None, place: Place, where: str
) -> Fingerprint | None:
    """SIGNATURES.md §7 heuristics (a) and (b): a grayscale 48x48 or 64x64 face crop classified into 7
    (FER2013) or 8 (FER+) classes. Very specific, but without labels it stays artifact-strength."""
    if channels != 1 or height != width or height not in (48, 64) or classes not in (7, 8):
        return None
    signature = FP_FER2013 if classes == 7 else FP_FERPLUS
    dataset = "FER2013" if classes == 7 else "FER+"
    return Fingerprint(
        signature_id=signature,
        summary=(
            f"{where} takes a {height}x{width} grayscale image and outputs {classes} classes, "
            f"the shape of a {dataset} facial-expression classifier"
        ),
        place=place,
        modality=Modality.FACE,
    )


# --- weights by name (safetensors headers, PyTorch state dicts) --------------------------------------

_HEAD_WORDS = (
    "classifier", "head", "fc", "logits", "score", "out_proj", "output", "out", "cls", "last_linear",
    "predictions",
)  # fmt: skip


def classifier_head(shapes: Mapping[str, Sequence[int]]) -> tuple[str, int] | None:
    """(tensor name, number of classes) of the classification head: a 2-D weight under a module named
    like a head ('classifier.weight', 'classifier.out_proj.weight', 'head.fc.weight'), the last one in
    name order when several match. PyTorch Linear weights are [out_features, in_features]."""
    best: tuple[str, int] | None = None
    for name, shape in shapes.items():
        if len(shape) != 2 or not name.endswith("weight"):
            continue
        parts = name.split(".")[:-1]
        if not any(part in _HEAD_WORDS or part.startswith(("classifier", "head")) for part in parts):
            continue
        if 2 <= shape[0] <= 100_000 and (best is None or name > best[0]):
            best = (name, int(shape[0]))
    return best


_AUDIO_WEIGHT_NAMES = re.compile(
    r"(?m)(?:^|\.)(?:wav2vec2|hubert|wavlm|whisper|unispeech|data2vec_audio|audio_encoder)\."
    r"|feature_extractor\.conv_layers"
)
_IMAGE_WEIGHT_NAMES = re.compile(
    r"(?m)(?:^|\.)(?:vit|deit|beit|swin|convnext|resnet|efficientnet|dinov2|vision_model|image_encoder)\."
    r"|patch_embed"
)
_TEXT_WEIGHT_NAMES = re.compile(
    r"(?m)(?:^|\.)(?:bert|roberta|distilbert|electra|deberta|albert|xlm_roberta|camembert)\."
    r"|word_embeddings|embed_tokens|\bwte\b"
)


def _line_at(text: str, start: int) -> str:
    end = text.find("\n", start)
    return text[text.rfind("\n", 0, start) + 1 : end if end >= 0 else len(text)]


def input_from_weights(shapes: Mapping[str, Sequence[int]]) -> tuple[Modality, str, bool]:
    """(modality, reason, grayscale) read from weight names and first-layer shapes.

    A 2-D convolution whose kernel takes one input channel, in a model where no convolution takes three,
    means grayscale images (depthwise convolutions also take one channel, but an RGB model has its
    3-channel stem). A 1-D convolution over one channel means a raw waveform. Names are joined once and
    searched with one pass per family, as checkpoints hold thousands of tensors."""
    has_rgb_stem = any(len(s) == 4 and s[1] == 3 for s in shapes.values())
    gray = not has_rgb_stem and any(len(s) == 4 and s[1] == 1 and s[2] > 1 for s in shapes.values())
    joined = "\n".join(shapes)
    for pattern, modality in (
        (_AUDIO_WEIGHT_NAMES, Modality.VOICE),
        (_IMAGE_WEIGHT_NAMES, Modality.FACE),
        (_TEXT_WEIGHT_NAMES, Modality.TEXT),
    ):
        hit = pattern.search(joined)
        if hit is not None:
            return modality, f"weight {_line_at(joined, hit.start())!r}", gray
    if gray or has_rgb_stem:
        return Modality.FACE, "2-D convolution over image channels", gray
    if any(len(s) == 3 and s[1] == 1 and s[2] >= 8 for s in shapes.values()):
        return Modality.VOICE, "1-D convolution over a raw waveform", gray
    return Modality.UNKNOWN, "", gray


def weight_fingerprint(
    shapes: Mapping[str, Sequence[int]], where: str, place: Place, gray: bool | None = None
) -> Fingerprint | None:
    """A grayscale CNN with a 7- or 8-class head: the weights-only form of the FER fingerprint (the input
    size is not recorded in weights, so the summary says what was seen). `gray` may be passed when
    input_from_weights already ran."""
    head = classifier_head(shapes)
    if head is None or head[1] not in (7, 8):
        return None
    if gray is None:
        gray = input_from_weights(shapes)[2]
    if not gray:
        return None
    signature = FP_FER2013 if head[1] == 7 else FP_FERPLUS
    return Fingerprint(
        signature_id=signature,
        summary=(
            f"{where}: a CNN over one-channel (grayscale) images with a {head[1]}-class head "
            f"({head[0]}), the shape of a {'FER2013' if head[1] == 7 else 'FER+'} facial-expression classifier"
        ),
        place=place,
        modality=Modality.FACE,
    )


def tensor_name_sources(
    names: Iterable[str], place: Place, description: str, limit: int = 64
) -> list[NameSource]:
    """Module names of weights ('emotion_head.weight' -> 'emotion_head') as identifier candidates."""
    modules: dict[str, None] = {}
    for name in names:
        for part in name.split(".")[:-1]:
            if part and not part.isdigit() and len(part) <= 64:
                modules.setdefault(part, None)
        if len(modules) >= 4096:
            break
    hits = [m for m in modules if identifier_term(m) is not None]
    return [NameSource(m, place, description) for m in hits[:limit]]


# --- label lists ------------------------------------------------------------------------------------

_GENERIC_LABEL = re.compile(r"^(label|class|cls)[_ -]?\d+$", re.IGNORECASE)


def is_generic_labels(labels: Sequence[str]) -> bool:
    """LABEL_0, LABEL_1, ...: the default names transformers writes when no labels were given."""
    return bool(labels) and all(_GENERIC_LABEL.match(s.strip()) for s in labels)


def labels_from_mapping(value: Any) -> tuple[str, ...] | None:
    """Ordered labels from an id2label map ({"0": "angry"}), a label2id map ({"angry": 0}) or a list."""
    if isinstance(value, list):
        items = [v for v in value if isinstance(v, str)]
        return tuple(items) if items and len(items) == len(value) else None
    if not isinstance(value, dict) or not value:
        return None
    if all(isinstance(v, str) for v in value.values()):
        pairs = [(_as_index(k), v) for k, v in value.items()]
        return tuple(v for _, v in sorted(pairs, key=lambda p: p[0]))
    if all(isinstance(v, int) and not isinstance(v, bool) for v in value.values()):
        return tuple(k for k, _ in sorted(value.items(), key=lambda kv: kv[1]) if isinstance(k, str))
    return None


def _as_index(key: Any) -> tuple[int, str]:
    text = str(key)
    return (int(text), text) if text.lstrip("-").isdigit() and len(text) < 10 else (1 << 31, text)


_PY_DICT_ITEM = re.compile(r"(\d+)\s*:\s*(?:'([^'\\]*(?:\\.[^'\\]*)*)'|\"([^\"\\]*(?:\\.[^\"\\]*)*)\")")


def labels_from_text(value: str) -> tuple[str, ...] | None:
    """Labels held in a metadata string: JSON (list, id2label or label2id), a Python dict literal as
    Ultralytics writes it ("{0: 'angry', 1: 'happy'}"), or a comma, semicolon or newline separated list."""
    text = value.strip()
    if len(text) > 64 * 1024 or not text:
        return None
    if text[0] in "[{":
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            parsed = None
        if parsed is not None:
            return labels_from_mapping(parsed)
        items = _PY_DICT_ITEM.findall(text)
        if items:
            return tuple(a or b for _, a, b in sorted(items, key=lambda t: int(t[0])))
        return None
    for separator in ("\n", ";", ","):
        if separator in text:
            parts = tuple(p.strip().strip("'\"") for p in text.split(separator))
            parts = tuple(p for p in parts if p)
            if len(parts) >= 2 and all(len(p) <= 64 for p in parts):
                return parts
            return None
    return None


# --- JSON with positions ----------------------------------------------------------------------------


def load_json(data: str | bytes, what: str) -> Any:
    """json.loads with precise errors: malformed JSON names line and column, deep nesting (which makes
    the parser recurse) is reported instead of crashing the scan."""
    try:
        return json.loads(data)
    except RecursionError as exc:
        raise ModelFormatError(
            f"{what} is nested too deeply to parse (over Python's recursion limit)"
        ) from exc
    except json.JSONDecodeError as exc:
        raise ModelFormatError(
            f"{what} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelFormatError(f"{what} is not valid JSON: {exc}") from exc


# An unrolled string pattern: a starred alternation keeps a backtracking record per character (a 4 MB
# string value cost 500 MB).
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]]')


def top_level_key_offsets(text: str) -> dict[str, int]:
    """Offsets of the keys of the top-level JSON object, so evidence can point at the exact line of
    "id2label" even when a nested config (text_config) has its own id2label earlier in the file."""
    offsets: dict[str, int] = {}
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        value = token.group(0)
        if value in "{[":
            depth += 1
        elif value in "}]":
            depth -= 1
        elif depth == 1 and value.startswith('"'):
            rest = text[token.end() : token.end() + 64].lstrip()
            if rest.startswith(":"):
                try:
                    key = json.loads(value)
                except ValueError:
                    continue
                offsets.setdefault(key, token.start())
    return offsets


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def key_place(text: str, offsets: Mapping[str, int], key: str) -> Place:
    offset = offsets.get(key)
    if offset is None:
        return Place(logical=key)
    line, column = line_col(text, offset)
    return Place(logical=key, line=line, column=column)


def strings_in(value: Any, limit: int = 2000, depth_limit: int = 32) -> list[str]:
    """Short strings anywhere inside parsed JSON, iteratively and bounded (no recursion on hostile input)."""
    found: list[str] = []
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack and len(found) < limit:
        item, depth = stack.pop()
        if isinstance(item, str):
            if len(item) <= MAX_NAME_CHARS:
                found.append(item)
        elif depth < depth_limit and isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif depth < depth_limit and isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return found


# --- bounded random access to binary files ----------------------------------------------------------


class ByteSource:
    """Random access to a binary file through a single cached block: walking a protobuf or flatbuffer
    touches small fields sequentially, and large fields (weights) are skipped by offset without being read.
    Every read is bounds-checked against the file size, so a bogus offset is an error, never a huge read.

    Reading on from the end of the cached block fetches a large block (sequential walking); a jump
    elsewhere (past a skipped tensor) fetches a small one, so a model with thousands of initializers
    does not read 64 KB around each of them."""

    BLOCK = 64 * 1024
    SMALL_BLOCK = 4 * 1024

    def __init__(self, handle: BinaryIO, size: int) -> None:
        self._handle = handle
        self.size = size
        self._start = 0
        self._block = b""
        self.bytes_read = 0

    def read(self, offset: int, length: int, what: str = "data") -> bytes:
        if offset < 0 or length < 0 or offset + length > self.size:
            raise ModelFormatError(
                f"{what} at byte {offset:,} needs {length:,} bytes but the file ends at byte {self.size:,}"
            )
        end = offset + length
        if self._start <= offset and end <= self._start + len(self._block):
            return self._block[offset - self._start : end - self._start]
        self._handle.seek(offset)
        if length > self.BLOCK:
            data = self._handle.read(length)
            self.bytes_read += len(data)
        else:
            sequential = self._start <= offset <= self._start + len(self._block)
            block = max(length, self.BLOCK if sequential else self.SMALL_BLOCK)
            self._block = self._handle.read(min(block, self.size - offset))
            self._start = offset
            self.bytes_read += len(self._block)
            data = self._block[:length]
        if len(data) != length:
            raise ModelFormatError(
                f"{what} at byte {offset:,}: file shorter than its size ({self.size:,} bytes)"
            )
        return data

    def peek(self, offset: int, length: int) -> bytes:
        """Up to `length` bytes from `offset`, fewer at the end of the file."""
        return self.read(offset, max(0, min(length, self.size - offset)))

    def varint(self, pos: int, end: int) -> tuple[int, int]:
        """A protobuf base-128 varint at `pos` that must end before `end`: (value, next position).
        Field keys and short lengths are one byte, so that case is served straight from the block."""
        index = pos - self._start
        if pos < end and 0 <= index < len(self._block):
            byte = self._block[index]
            if byte < 0x80:
                return byte, pos + 1
        data = self.read(pos, 10 if end - pos > 10 else end - pos, "varint") if pos < end else b""
        result = 0
        for count, byte in enumerate(data):
            result |= (byte & 0x7F) << (7 * count)
            if byte < 0x80:
                return result, pos + count + 1
        raise ModelFormatError(f"malformed or truncated protobuf varint at byte {pos:,}")


def file_size(handle: BinaryIO) -> int:
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    return size


# A zip's central directory may take this many bytes per entry it is allowed to hold (names included).
_DIRECTORY_BYTES_PER_ENTRY = 1024


def zip_directory_problem(handle: BinaryIO, max_entries: int) -> str | None:
    """Why a zip's central directory must not be handed to `zipfile` (which builds an object per entry
    before any bound applies: a million entries cost half a gigabyte), or None. Reads the end record
    (and the zip64 one) only; a zip without an end record is left to zipfile to refuse."""
    size = file_size(handle)
    tail_size = min(size, 22 + 0xFFFF + 20)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    handle.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    count = int.from_bytes(tail[at + 10 : at + 12], "little")
    directory = int.from_bytes(tail[at + 12 : at + 16], "little")
    record_at = int.from_bytes(tail[at - 12 : at - 4], "little") if at >= 20 else size
    if tail[at - 20 : at - 16] == b"PK\x06\x07" and record_at <= size - 56:
        handle.seek(record_at)
        record = handle.read(56)
        handle.seek(0)
        if len(record) == 56 and record[:4] == b"PK\x06\x06":
            count = int.from_bytes(record[32:40], "little")
            directory = int.from_bytes(record[40:48], "little")
    if count > max_entries:
        return f"zip archive lists {count:,} entries, over the {max_entries:,} limit"
    if directory > max_entries * _DIRECTORY_BYTES_PER_ENTRY:
        return f"zip central directory of {directory:,} bytes is over the {max_entries * _DIRECTORY_BYTES_PER_ENTRY:,}-byte limit"
    return None


# --- shards and notices -----------------------------------------------------------------------------

_SHARD = re.compile(r"-(\d{5})-of-(\d{5})\.[A-Za-z0-9]+$")


def shard_of(name: str) -> tuple[int, int] | None:
    """(index, total) of a Hugging Face shard ('model-00002-of-00003.safetensors'), or None."""
    match = _SHARD.search(name)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


def sibling(artifact: Artifact, name: str) -> Artifact | None:
    """The file called `name` beside `artifact`, or None. Archive members have no siblings on disk
    (their fs_path is the archive): discovery's own archive-aware `sibling()` is used when it has one,
    else they get none rather than a wrong file from beside the archive."""
    finder = getattr(artifact, "sibling", None)
    if callable(finder):
        try:
            found = finder(name)
        except (OSError, TypeError, ValueError):
            return None
        return found if isinstance(found, Artifact) else None
    if getattr(artifact, "member", None) is not None:
        return None
    path = artifact.fs_path.with_name(name)
    try:
        info = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    return Artifact(str(PurePosixPath(artifact.path).with_name(name)), path, artifact.kind, info.st_size)


def sibling_shards(artifact: Artifact) -> list[Artifact]:
    """Every shard of the same model beside this one, in order."""
    name = PurePosixPath(artifact.path).name
    info = shard_of(name)
    if info is None:
        return []
    stem = _SHARD.sub("", name)
    suffix = PurePosixPath(name).suffix
    found: list[Artifact] = []
    for index in range(1, min(info[1], 10_000) + 1):
        other = sibling(artifact, f"{stem}-{index:05d}-of-{info[1]:05d}{suffix}")
        if other is not None:
            found.append(other)
    return found


def error_notice(artifact: Artifact, kind: NoticeKind, message: str, fatal: bool = True) -> Notice:
    return Notice(path=artifact.path, kind=kind, message=message, fatal=fatal)


def missing_dependency(artifact: Artifact, package: str, what: str) -> Notice:
    return Notice(
        path=artifact.path,
        kind=NoticeKind.MISSING_DEPENDENCY,
        message=(
            f"{artifact.path}: reading {what} needs the optional package {package!r}, which is not "
            f"installed; only the file name was checked. Install it with: {INSTALL_HINT}"
        ),
        fatal=False,
    )
