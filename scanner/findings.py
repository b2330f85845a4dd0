"""Frozen values that cross layers: evidence, components, results and notices.

Every layer hands the next one of these and nothing else, so analyzers, correlation, policy and
reporters can be tested in isolation.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass, field


class Modality(str, enum.Enum):
    """What the inference is based on; decides whether the AI Act's biometric definition applies."""

    FACE = "face"
    VOICE = "voice"
    PHYSIOLOGICAL = "physiological"
    BEHAVIOURAL = "behavioural"
    TEXT = "text"
    MULTIMODAL = "multimodal"
    UNKNOWN = "unknown"

    @property
    def is_biometric(self) -> bool:
        # Unknown is treated as biometric: a bare emotion classifier with no input evidence must not
        # slip through as "text only" (the safer reading of Art. 3(39)).
        return self is not Modality.TEXT


class Capability(str, enum.Enum):
    """What the component infers about a person."""

    EMOTION = "emotion"
    INTENTION = "intention"
    PHYSICAL_STATE = "physical-state"
    EXPRESSION = "expression"
    SENSITIVE_CATEGORISATION = "sensitive-categorisation"
    # Enablers (camera, microphone, heart-rate capture) are evidence, never a component on their own.
    BIOMETRIC_INPUT = "biometric-input"


class EvidenceKind(str, enum.Enum):
    IMPORT = "import"
    CALL = "call"
    MODEL_ID = "model-id"
    LABELS = "labels"
    DATASET = "dataset"
    BIOMETRIC_INPUT = "biometric-input"
    DEPENDENCY = "dependency"
    RESPONSE_FIELD = "response-field"
    MODEL_FILE = "model-file"
    MODEL_CONFIG = "model-config"
    FILE_NAME = "file-name"


class Strength(enum.IntEnum):
    """Signal strength as in SIGNATURES.md: lower is stronger."""

    DIRECT = 1  # a call or model whose documented purpose is emotion inference
    ARTIFACT = 2  # an emotion label vocabulary, dataset or model fingerprint
    ENABLER = 3  # biometric capture or feature extraction; never ER alone
    CONTEXT = 4  # deployment-context words


class Confidence(str, enum.Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return {"high": 3, "medium": 2, "low": 1}[self.value]


class Level(str, enum.Enum):
    """SARIF result levels, ordered by severity."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "note": 1}[self.value]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a scanned artifact. `path` is POSIX and relative to the scan root when possible;
    `logical` names a place inside a binary artifact (for example `metadata_props.labels`)."""

    path: str
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    logical: str | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Evidence:
    """One observation, tied to the catalogue signature that explains it."""

    kind: EvidenceKind
    signature_id: str
    location: Location
    summary: str
    modality: Modality
    capability: Capability
    strength: Strength
    # Catalogue package (or vendor API) this evidence belongs to, used to fold a dependency
    # declaration into the code component that uses the same package.
    package: str | None = None
    # Labels seen (emotion words, sensitive attributes), for explanations and reports.
    labels: tuple[str, ...] = ()
    # True when the evidence sits in code that never runs (commented out); lowers confidence.
    dormant: bool = False


@dataclass(frozen=True)
class Component:
    """One emotion-recognition capability within one scope (a file, a model folder)."""

    scope: str
    modality: Modality
    capability: Capability
    confidence: Confidence
    evidence: tuple[Evidence, ...]
    primary: Evidence
    # Human name of what was found, e.g. "DeepFace emotion analysis".
    name: str
    # Sensitive attributes (Art. 5(1)(g)) this component infers, e.g. ("race",).
    sensitive_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    """A rule firing on a component, ready for any reporter."""

    rule_id: str
    level: Level
    message: str
    location: Location
    # The component judged; None for results about the declarations themselves (EMO008).
    component: Component | None
    verdict: str
    # Extra facts for reporters (deployment name, context, table cell).
    properties: tuple[tuple[str, str], ...] = ()
    related: tuple[Location, ...] = ()


@dataclass(frozen=True)
class Suppression:
    """Why a result is hidden: an inline comment at `location`, or a config entry declared there."""

    kind: str  # "inline" or "config"
    rules: tuple[str, ...]
    reason: str
    location: Location
    owner: str | None = None
    review_by: datetime.date | None = None


class NoticeKind(str, enum.Enum):
    PARSE_ERROR = "parse-error"
    DECODE_ERROR = "decode-error"
    READ_ERROR = "read-error"
    TOO_LARGE = "too-large"
    UNSUPPORTED = "unsupported"
    MISSING_DEPENDENCY = "missing-dependency"
    PARTIAL = "partial"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class Notice:
    """A problem with one input; the scan goes on. `fatal` means the file could not be analysed."""

    path: str
    kind: NoticeKind
    message: str
    fatal: bool = True
    line: int | None = None


@dataclass(frozen=True)
class FileOutcome:
    """What one analyzer produced for one artifact."""

    evidence: tuple[Evidence, ...] = ()
    notices: tuple[Notice, ...] = ()
    # Python modules only: True when the module holds definitions and nothing runs on import (the
    # repository pass treats its evidence as dormant if nothing refers to it); None when not known.
    library_only: bool | None = None


@dataclass(frozen=True)
class ScanResult:
    results: tuple[Result, ...]
    components: tuple[Component, ...]
    evidence: tuple[Evidence, ...]
    notices: tuple[Notice, ...]
    files_scanned: int
    files_analysed: int
    catalog_version: str
    tool_version: str
    # The folder that result paths are relative to (SARIF %SRCROOT%).
    roots: tuple[str, ...] = field(default=())
    # Where the deployment declarations came from (a file, "command line"), or None.
    declarations_source: str | None = None
    # Results hidden by a suppression, with it: kept for auditors, left out of SARIF by default.
    suppressed: tuple[tuple[Result, Suppression], ...] = ()
    # Results hidden because the baseline already holds them.
    baselined: int = 0

    @property
    def execution_successful(self) -> bool:
        """True when every file that was picked for analysis could be read and analysed."""
        return not any(n.fatal for n in self.notices)
