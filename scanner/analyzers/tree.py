"""The repository pass: evidence that no single file holds, read after every file has been analysed.

- File names in the tree: dataset recordings named by their corpus's convention (RAVDESS
  `03-01-05-01-02-01-12.wav`, CREMA-D `1001_DFA_ANG_XX.wav`, WESAD `S2_quest.csv`), folders named for a
  dataset (`WESAD/`, `fer2013/`), folders whose sub-folders are emotion classes (`train/angry/`,
  `train/happy/`, ...), and model files the analyzers could not read (a Git LFS pointer, an OpenVINO IR
  pair, a Caffe model) but whose name says what they do. One piece of evidence per dataset (or model
  signature) per folder, however many files match.
- Dependency files under unusual names (`requirement.txt`, `requirements/base.txt`), read by the
  dependency analyzer.
- Links: a label list, label config or dataset that is not a finding where it sits becomes one in the
  code that uses it, when that code imports the module, opens the file or globs the folder, and runs a
  model on, or captures, a person there (or imports a dedicated emotion-recognition package; importing
  a toolkit that merely can do it, such as speechbrain, is not enough). The code gets a copy of the
  evidence at the line that refers to it, so "labels in one file, classifier in another" is one
  component. A folder named for a dataset is named by its own name or a path through it, never by
  its parent's name alone.
- Modules nothing imports or runs: their evidence becomes dormant.
- Response fields the project defines itself: a read of `dominant_emotion` without a DeepFace import,
  in a tree whose own classes define `dominant_emotion`, is the project's data and only a weak hint.
- The project's own modules named like a dedicated package (`src/fer/`, `feat/`): importing them is
  not evidence.

File contents are read only for the few files that can take a link (code with a camera, a microphone,
a model call) and for tiny files with model extensions (to recognise LFS pointers).
"""

from __future__ import annotations

import ast
import dataclasses
import fnmatch
import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NamedTuple

from scanner.analyzers.context import context_of_text
from scanner.analyzers.text import MAX_TEXT_BYTES, TextError, looks_binary, parse_python, read_bytes
from scanner.correlate import FILE_NAME_LOGICAL, correlate, scope_of
from scanner.discovery import LFS_POINTER_MAGIC, Artifact, ArtifactKind
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
from scanner.signatures import Catalog, DatasetSignature, ModelFileSignature, normalise_dist, normalise_word

CODE_KINDS = frozenset({ArtifactKind.PYTHON, ArtifactKind.NOTEBOOK})

# Folder names too common to tie a file reference to one folder of the tree.
GENERIC_SEGMENTS = frozenset(
    {
        "",
        ".",
        "..",
        "data",
        "dataset",
        "datasets",
        "train",
        "training",
        "test",
        "testing",
        "val",
        "valid",
        "validation",
        "audio",
        "audios",
        "wav",
        "wavs",
        "images",
        "image",
        "img",
        "imgs",
        "raw",
        "input",
        "inputs",
        "output",
        "outputs",
        "files",
        "samples",
        "src",
        "assets",
        "resources",
        "static",
        "models",
        "model",
        "weights",
        "checkpoints",
        "config",
        "configs",
        "kaggle",
        "content",
        "drive",
        "mydrive",
        "home",
        "users",
        "tmp",
    }
)

# OpenVINO IR and similar formats come as a pair: the generic "named for emotion" signature only counts
# for them when both halves are there (an `emotion.xml` alone is an Android layout, not a model).
PAIRED_EXTENSIONS = {".xml": ".bin", ".bin": ".xml"}
GENERIC_MODEL_SIGNATURE = "model_file.emotion_named"

# Names of dependency files that discovery does not know by name.
_REQUIREMENT_NAME = re.compile(
    r"^(?:.*requirement.*|reqs?|deps|dependencies|packages)\.(?:txt|in|pip)$", re.I
)
_REQUIREMENT_FOLDERS = frozenset({"requirements", "requirement", "reqs", "deps", "dependencies"})
_TEXT_SUFFIXES = (".txt", ".in", ".pip")

# Suffixes whose OTHER-kind files may be LFS pointers worth a notice.
_MODEL_SUFFIXES = frozenset(
    {
        ".h5",
        ".hdf5",
        ".keras",
        ".onnx",
        ".pt",
        ".pth",
        ".tflite",
        ".pb",
        ".pkl",
        ".joblib",
        ".caffemodel",
        ".safetensors",
        ".mlmodel",
        ".ckpt",
        ".bin",
        ".gguf",
        ".engine",
        ".blob",
        ".skops",
    }
)

_PERSON_MODALITIES = frozenset({Modality.FACE, Modality.PHYSIOLOGICAL, Modality.BEHAVIOURAL})
# Extensions of files whose name can say what model they are (weights, IR halves, native libraries);
# images, audio and text in the tree are never model files.
_MODEL_NAME_EXTENSIONS = frozenset(
    {s.lstrip(".") for s in _MODEL_SUFFIXES}
    | {"xml", "task", "dat", "so", "dll", "dylib", "pb", "model", "weights"}
)
_STRING = re.compile(r"""(?P<q>['"])(?P<s>[^'"\n]{1,300})(?P=q)""")
_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text))


class _CodeText:
    """What the link search asks of one code file, each part computed once (not once per orphan) and
    only when an orphan needs it. Strings are placed by their offset in the text, turned into a line
    number only for the reference found."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folder_lines: dict[_Folder, int | None] = {}

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    @functools.cached_property
    def strings(self) -> list[tuple[int, str]]:
        """(offset, value) of each short quoted string, f-string text included."""
        return [(match.start(), match.group("s")) for match in _STRING.finditer(self.text)]

    @functools.cached_property
    def words(self) -> set[str]:
        return _words(self.text)

    @functools.cached_property
    def file_names(self) -> dict[str, int]:
        """The offset of the first string naming each file name ('data/x.csv' and 'x.csv' name x.csv)."""
        names: dict[str, int] = {}
        for offset, value in self.strings:
            names.setdefault(_base_name(value.replace("\\", "/")), offset)
            if "/" in value:
                names.setdefault(value.rpartition("/")[2], offset)
        return names

    @functools.cached_property
    def paths(self) -> _StringPaths:
        return _StringPaths(self.strings)

    @functools.cached_property
    def glob_paths(self) -> _StringPaths:
        """The wildcard patterns of the strings that may be globs or format strings ('data/Actor_*',
        f'{root}/{name}'): all that can name a folder whose name is nowhere in the text."""
        return _StringPaths([(n, v) for n, v in self.strings if _may_be_wildcard(v)], wildcards_only=True)

    def file_line(self, name: str) -> int | None:
        offset = self.file_names.get(name)
        return None if offset is None else self.line_of(offset)

    def folder_line(self, folder: _Folder) -> int | None:
        if folder not in self.folder_lines:
            terms = _folder_terms(*folder)
            # A string names a folder by its last part or a distinctive part; without any of them
            # in the text, only a glob can.
            named_in_text = any(part in self.text for part in terms.spelled)
            offset = _folder_offset(terms, self.paths if named_in_text else self.glob_paths)
            self.folder_lines[folder] = None if offset is None else self.line_of(offset)
        return self.folder_lines[folder]


class _StringPaths:
    """A file's strings read as paths, indexed for the folder search: by last segment (a string that
    ends with a folder's path), by exact segment (a folder name), and by wildcard pattern (globs and
    format strings); each with the offsets of the strings, first one first."""

    def __init__(self, strings: list[tuple[int, str]], wildcards_only: bool = False) -> None:
        self.by_last: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.first_exact: dict[str, int] = {}
        self.first_wildcard: dict[str, int] = {}
        for offset, value in strings:
            segments = [s for s in value.replace("\\", "/").strip().split("/") if s and s != "."]
            if not segments:
                continue
            if wildcards_only:
                segments = [s for s in segments if _may_be_wildcard(s)]
            else:
                self.by_last[segments[-1]].append((offset, "/".join(segments)))
            for segment in segments:
                pattern = _FORMAT_FIELD.sub("*", segment) if "{" in segment else segment
                if not _distinctive_glob(pattern):
                    continue
                if "*" in pattern or "?" in pattern or "[" in pattern:
                    self.first_wildcard.setdefault(pattern, offset)
                else:
                    self.first_exact.setdefault(pattern, offset)


_FORMAT_FIELD = re.compile(r"\{[^}]*\}")


def _may_be_wildcard(text: str) -> bool:
    """Whether a string or path segment may be a glob or a format string ('Actor_*', '{name}.wav')."""
    return "*" in text or "?" in text or "[" in text or "{" in text


def _base_name(path: str) -> str:
    """PurePosixPath(path).name without building the path object (this runs for every string)."""
    for part in reversed(path.split("/")):
        if part not in ("", "."):
            return part
    return ""


def _distinctive_glob(pattern: str) -> bool:
    literal = pattern.strip("*?")
    return len(literal) >= 3 and literal.lower() not in GENERIC_SEGMENTS


_MAX_LINK_TEXT = MAX_TEXT_BYTES


class _Folder(NamedTuple):
    """A folder an emotion artifact of the tree stands for, and the index of its first part that code
    may name alone: the dataset-named part when there is one (`recipes/IEMOCAP`: a string naming
    `recipes` names every recipe, not IEMOCAP's), else 0."""

    path: str
    named_from: int = 0


@dataclass(frozen=True)
class _Orphan:
    evidence: Evidence
    artifact_path: str
    # The folder it stands for, when it comes from names in the tree (a dataset folder, a folder of
    # class folders); code refers to it by that folder's path or a glob over it.
    folder: _Folder | None = None
    # The name a label list in a Python module is bound to (`EMOTIONS = [...]`): code that uses the
    # list imports the module and names it.
    binding: str | None = None

    @functools.cached_property
    def source(self) -> PurePosixPath:
        return PurePosixPath(self.artifact_path)

    @functools.cached_property
    def imported(self) -> bool:
        """Whether code refers to it by importing its module and naming what it is bound to."""
        return self.source.suffix == ".py" and (
            self.evidence.kind is EvidenceKind.LABELS or self.binding is not None
        )


@dataclass(frozen=True)
class RepositoryOutcome:
    """What the repository pass adds to the analyzers' evidence: evidence from names in the tree,
    unusual dependency files and links between files, its notices, and the Python modules nothing
    uses (their evidence becomes dormant). A value, so a run on an unchanged tree can take it from
    the cache (see inputs_digest)."""

    found: tuple[Evidence, ...] = ()
    notices: tuple[Notice, ...] = ()
    dormant: tuple[str, ...] = ()
    # Response-field reads that are the project's own data (see _own_field_reads), by evidence key.
    own_fields: tuple[tuple[str, str, int, int], ...] = ()
    # Imports of the project's own module that shares a catalogue package's name (see _local_imports).
    local_imports: tuple[tuple[str, str, int, int], ...] = ()

    def apply(self, evidence: Sequence[Evidence]) -> list[Evidence]:
        everything = [*evidence, *self.found]
        if self.local_imports:
            local = set(self.local_imports)
            everything = [
                e for e in everything if not (e.kind is EvidenceKind.IMPORT and _evidence_key(e) in local)
            ]
        if self.own_fields:
            everything = _as_own_field(everything, set(self.own_fields))
        return _as_dormant(everything, set(self.dormant)) if self.dormant else everything


def analyze_tree(
    artifacts: Sequence[Artifact],
    evidence: Sequence[Evidence],
    catalog: Catalog,
    library_only: Mapping[str, bool | None] | None = None,
) -> FileOutcome:
    """All the scan's evidence after the repository pass: the analyzers' evidence (marked dormant in
    modules nothing uses) plus what the pass finds."""
    outcome = repository_pass(artifacts, evidence, catalog, library_only)
    return FileOutcome(tuple(outcome.apply(evidence)), outcome.notices)


def repository_pass(
    artifacts: Sequence[Artifact],
    evidence: Sequence[Evidence],
    catalog: Catalog,
    library_only: Mapping[str, bool | None] | None = None,
) -> RepositoryOutcome:
    """The pass over the whole tree, given every analyzer's evidence; `library_only` holds what the
    Python analyzer found out about each module (definitions only or not)."""
    found: list[Evidence] = []
    notices: list[Notice] = []
    folders: dict[tuple[str, str], _Folder] = {}
    names, name_notices = _file_name_evidence(artifacts, catalog, folders)
    found.extend(names)
    notices.extend(name_notices)
    deps = _dependency_files(artifacts, catalog)
    found.extend(deps.evidence)
    notices.extend(deps.notices)
    found.extend(_links(artifacts, [*evidence, *found], catalog, folders))
    dormant = _dormant_modules(artifacts, [*evidence, *found], library_only or {})
    own_fields = _own_field_reads(artifacts, evidence, catalog)
    local_imports = _local_imports(artifacts, evidence, catalog)
    return RepositoryOutcome(tuple(found), tuple(notices), tuple(sorted(dormant)), own_fields, local_imports)


def inputs_digest(
    artifacts: Sequence[Artifact],
    evidence: Sequence[Evidence],
    library_only: Mapping[str, bool | None],
    content_digests: Mapping[str, bytes] | None = None,
) -> bytes:
    """A digest of everything repository_pass reads besides the catalogue: the artifacts' names, kinds
    and sizes, the analyzers' evidence, and the bytes of every file the pass may open (code, files
    that can refer to a module, dependency lists, LFS pointers), as far as it would read them.
    `content_digests` holds the SHA-256 of files already read whole (by path): those are not read
    again."""
    known = content_digests or {}
    digest = hashlib.sha256()
    for artifact in artifacts:
        digest.update(
            f"{artifact.path}\0{artifact.kind.value}\0{artifact.size}\0{artifact.in_archive}\0".encode(
                "utf-8", "surrogatepass"
            )
        )
        if (
            artifact.kind in CODE_KINDS
            or _can_refer(artifact)
            or _lfs_candidate(artifact)
            or artifact.path.lower().endswith(_TEXT_SUFFIXES)
        ):
            content = known.get(artifact.path) if artifact.size <= _MAX_LINK_TEXT else None
            if content is None:
                try:
                    data = artifact.read(_MAX_LINK_TEXT) if artifact.size <= _MAX_LINK_TEXT else b""
                except OSError as exc:
                    data = f"unreadable: {exc}".encode("utf-8", "replace")
                content = hashlib.sha256(data).digest()
            digest.update(content)
    digest.update(repr(list(evidence)).encode("utf-8", "surrogatepass"))
    digest.update(repr(sorted(library_only.items())).encode("utf-8", "surrogatepass"))
    return digest.digest()


# --- names in the tree --------------------------------------------------------------------------------


def _file_name_evidence(
    artifacts: Sequence[Artifact], catalog: Catalog, folders: dict[tuple[str, str], _Folder]
) -> tuple[list[Evidence], list[Notice]]:
    """Evidence from names; `folders` receives, for each, the folder it stands for."""
    evidence: list[Evidence] = []
    notices: list[Notice] = []
    paths = sorted(a.path for a in artifacts)
    by_path = {a.path: a for a in artifacts}
    present = set(paths)
    datasets: dict[tuple[str, str], list[str]] = defaultdict(list)
    dataset_sigs: dict[str, DatasetSignature] = {d.id: d for d in catalog.datasets}
    models: dict[tuple[str, str], str] = {}
    model_sigs: dict[str, ModelFileSignature] = {m.id: m for m in catalog.model_files}
    children: dict[str, set[str]] = defaultdict(set)
    first_under: dict[str, str] = {}
    # Only names with an extension some dataset file pattern ends with are matched (a tree of .py
    # files never compiles the patterns).
    extensions = catalog.dataset_file_extensions
    seen_folders: set[str] = set()
    for path in paths:
        folder, _, name = path.rpartition("/")
        if folder not in seen_folders:
            # Paths are sorted, so the first path seen under a folder is its first file.
            seen_folders.add(folder)
            parts = folder.split("/") if folder else []
            for depth in range(len(parts)):
                here = "/".join(parts[: depth + 1])
                first_under.setdefault(here, path)
                if depth > 0:
                    children["/".join(parts[:depth])].add(parts[depth])
        if extensions is None or name.rpartition(".")[2].lower() in extensions:
            dataset = catalog.dataset_for_file_name(name)
            if dataset is not None:
                datasets[(folder or ".", dataset.id)].append(path)
        artifact = by_path[path]
        if (
            artifact.kind is ArtifactKind.OTHER
            and ("." not in name or name.rpartition(".")[2].lower() in _MODEL_NAME_EXTENSIONS)
            and catalog.model_files
            and catalog.model_file_regex.search(name)
        ):
            pure = PurePosixPath(path)
            folder = folder or "."
            lfs = _is_lfs_pointer(artifact)
            for signature in catalog.model_files:
                if not re.search(signature.pattern, name, re.IGNORECASE):
                    continue
                if signature.id == GENERIC_MODEL_SIGNATURE and not _pair_present(pure, present):
                    continue
                models.setdefault((folder, signature.id), path)
            if lfs:
                notices.append(
                    Notice(
                        path,
                        NoticeKind.PARTIAL,
                        "a Git LFS pointer: the model itself is not in this checkout; judged by its file name",
                        fatal=False,
                    )
                )
    for (folder, dataset_id), files in sorted(datasets.items()):
        dataset = dataset_sigs[dataset_id]
        example = PurePosixPath(files[0]).name
        folders[(dataset.id, files[0])] = _Folder(folder, _dataset_part(catalog, folder))
        evidence.append(
            Evidence(
                kind=EvidenceKind.FILE_NAME,
                signature_id=dataset.id,
                location=Location(files[0], 1, 1, logical=FILE_NAME_LOGICAL),
                summary=f"{len(files)} file(s) named like {dataset.summary} (e.g. {example!r})",
                modality=dataset.modality,
                capability=dataset.capability,
                strength=Strength.ARTIFACT,
            )
        )
    for (_folder, signature_id), path in sorted(models.items()):
        signature = model_sigs[signature_id]
        evidence.append(
            Evidence(
                kind=EvidenceKind.MODEL_FILE,
                signature_id=signature.id,
                location=Location(path, 1, 1, logical=FILE_NAME_LOGICAL),
                summary=f"file name {PurePosixPath(path).name!r} is the {signature.summary}",
                modality=signature.modality,
                capability=signature.capability,
                strength=Strength.ARTIFACT,
            )
        )
    for folder, first in sorted(first_under.items()):
        segment = folder.rsplit("/", 1)[-1]
        named = _named_dataset(catalog, segment)
        if named is not None:
            dataset = named
            folders.setdefault((dataset.id, first), _Folder(folder, folder.count("/")))
            evidence.append(
                Evidence(
                    kind=EvidenceKind.FILE_NAME,
                    signature_id=dataset.id,
                    location=Location(first, 1, 1, logical=FILE_NAME_LOGICAL),
                    summary=f"folder {folder + '/'!r} is named for {dataset.summary}",
                    modality=dataset.modality,
                    capability=dataset.capability,
                    strength=Strength.ARTIFACT,
                )
            )
    for parent, names in sorted(children.items()):
        if len(names) < 2:
            continue
        for match in match_labels(sorted(names), catalog)[:1]:
            if not match.strong or match.capability is not Capability.EMOTION:
                continue
            vocab = match.vocabulary
            folders.setdefault((vocab.id, first_under[parent]), _Folder(parent))
            evidence.append(
                Evidence(
                    kind=EvidenceKind.FILE_NAME,
                    signature_id=vocab.id,
                    location=Location(first_under[parent], 1, 1, logical=FILE_NAME_LOGICAL),
                    summary=(
                        f"folder {parent + '/'!r} holds one sub-folder per emotion class "
                        f"({', '.join(match.matched[:8])}): {vocab.summary}"
                    ),
                    modality=vocab.modality or Modality.UNKNOWN,
                    capability=vocab.capability,
                    strength=Strength.ARTIFACT,
                    labels=match.matched,
                )
            )
    return evidence, notices


def _named_dataset(catalog: Catalog, folder_name: str) -> DatasetSignature | None:
    """The catalogued dataset a folder is named for (`WESAD`, `fer2013`), or None."""
    return catalog.dataset_by_name.get(normalise_word(folder_name)) if len(folder_name) > 2 else None


def _dataset_part(catalog: Catalog, folder: str) -> int:
    """The index of the first part of `folder` named for a catalogued dataset, or 0."""
    for index, part in enumerate(folder.split("/")):
        if _named_dataset(catalog, part) is not None:
            return index
    return 0


def _pair_present(path: PurePosixPath, present: set[str]) -> bool:
    suffix = path.suffix.lower()
    other = PAIRED_EXTENSIONS.get(suffix)
    if other is None:
        return True
    return any(path.with_suffix(s).as_posix() in present for s in (other, other.upper()))


def _lfs_candidate(artifact: Artifact) -> bool:
    return 0 < artifact.size < 1024 and PurePosixPath(artifact.path).suffix.lower() in _MODEL_SUFFIXES


def _is_lfs_pointer(artifact: Artifact) -> bool:
    if not _lfs_candidate(artifact):
        return False
    try:
        return artifact.read(len(LFS_POINTER_MAGIC)) == LFS_POINTER_MAGIC
    except OSError:
        return False


# --- dependency files under other names -----------------------------------------------------------------


def _dependency_files(artifacts: Sequence[Artifact], catalog: Catalog) -> FileOutcome:
    evidence: list[Evidence] = []
    notices: list[Notice] = []
    for artifact in artifacts:
        if artifact.kind is not ArtifactKind.OTHER or not artifact.path.lower().endswith(_TEXT_SUFFIXES):
            continue
        pure = PurePosixPath(artifact.path)
        in_folder = len(pure.parts) > 1 and pure.parts[-2].lower() in _REQUIREMENT_FOLDERS
        if not (
            _REQUIREMENT_NAME.match(pure.name) or (in_folder and pure.name.lower().endswith(_TEXT_SUFFIXES))
        ):
            continue
        from scanner.analyzers import dependencies  # here: most trees have no such file

        outcome = dependencies.analyze(dataclasses.replace(artifact, kind=ArtifactKind.REQUIREMENTS), catalog)
        evidence.extend(outcome.evidence)
        notices.extend(outcome.notices)
    return FileOutcome(tuple(evidence), tuple(notices))


# --- links between files ------------------------------------------------------------------------------------


def _links(
    artifacts: Sequence[Artifact],
    evidence: Sequence[Evidence],
    catalog: Catalog,
    folders: dict[tuple[str, str], _Folder],
) -> list[Evidence]:
    orphans = _with_bindings(_orphans(evidence, folders), artifacts)
    if not orphans:
        return []
    by_path: dict[str, list[Evidence]] = defaultdict(list)
    for item in evidence:
        by_path[item.location.path].append(item)
    out: list[Evidence] = []
    for artifact in artifacts:
        if artifact.kind not in CODE_KINDS:
            continue
        text = _read_text(artifact)
        if text is None:
            continue
        code = _CodeText(text)
        references: list[tuple[_Orphan, int]] = []
        for orphan in orphans:
            if orphan.artifact_path == artifact.path:
                continue
            line = _reference(orphan, code)
            if line is not None:
                references.append((orphan, line))
        if not references:
            continue
        own = by_path.get(artifact.path)
        if not own:
            # The prefilter settled this file (a camera and a model, but no emotion token): analyse
            # it now, as it uses emotion labels or data defined elsewhere.
            own = list(_analyse_whole(artifact, catalog, text).evidence)
            out.extend(own)
        support = [
            e
            for e in own
            if not e.dormant
            and (
                e.capability is Capability.BIOMETRIC_INPUT
                or (e.kind is EvidenceKind.IMPORT and e.strength is Strength.DIRECT)
            )
        ]
        if not support or _explained_away(catalog, artifact.path, text, support):
            continue
        seen: set[str] = set()
        for orphan, line in references:
            if orphan.evidence.signature_id not in seen:
                seen.add(orphan.evidence.signature_id)
                out.append(_copy(orphan.evidence, artifact.path, line))
    return out


def _explained_away(catalog: Catalog, path: str, text: str, support: Sequence[Evidence]) -> bool:
    """Speech synthesis or music code, with no person captured, uses emotion words as style inputs."""
    context = context_of_text(catalog, path, text)
    if context is None:
        return False
    return not any(
        e.capability is Capability.BIOMETRIC_INPUT
        and (e.modality in _PERSON_MODALITIES or e.signature_id in context.overridden_by)
        for e in support
    )


def _analyse_whole(artifact: Artifact, catalog: Catalog, text: str) -> FileOutcome:
    if artifact.kind is ArtifactKind.NOTEBOOK:
        from scanner.analyzers import notebook

        return notebook.analyze_text(artifact, catalog, text)
    from scanner.analyzers import python_source

    return python_source.analyze_text(artifact, catalog, text)


def _orphans(evidence: Sequence[Evidence], folders: dict[tuple[str, str], _Folder]) -> list[_Orphan]:
    """Emotion artifacts (labels, datasets, names) that make no component where they are."""
    scopes_with_components = {c.scope for c in correlate(evidence)}
    orphans: list[_Orphan] = []
    for item in evidence:
        if item.capability not in (Capability.EMOTION, Capability.INTENTION):
            continue
        if item.strength is not Strength.ARTIFACT or item.dormant:
            continue
        if item.kind not in (
            EvidenceKind.LABELS,
            EvidenceKind.DATASET,
            EvidenceKind.FILE_NAME,
            EvidenceKind.MODEL_CONFIG,
        ):
            continue
        if scope_of(item) in scopes_with_components:
            continue
        folder = folders.get((item.signature_id, item.location.path))
        orphans.append(_Orphan(item, item.location.path, folder))
    orphans.sort(key=lambda o: (o.evidence.location.path, o.evidence.location.line, o.evidence.signature_id))
    return orphans


def _read_text(artifact: Artifact) -> str | None:
    """A text file's contents for the link and reference searches; None (silently: the analyzers
    report unreadable, oversized and binary files) when it cannot be one."""
    try:
        data = read_bytes(artifact, _MAX_LINK_TEXT)
    except TextError:
        return None
    return None if looks_binary(data) else data.decode("utf-8", errors="replace")


_BINDING = re.compile(r"^[ \t]*(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=[ \t]*[\[\(\{]")
_DEFINITION = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:class|def)[ \t]+([A-Za-z_]\w*)")


def _with_bindings(orphans: list[_Orphan], artifacts: Sequence[Artifact]) -> list[_Orphan]:
    """Fill in the names label lists in Python modules are bound to; a list bound to no name (an
    argument, a set in an expression) cannot be used elsewhere and is dropped. A dataset named by a
    class or function of a module (`class RavdessDataset:`) is bound to that name, so code that
    imports it and trains or runs a model gets the dataset."""
    by_path = {a.path: a for a in artifacts}
    texts: dict[str, list[str]] = {}
    out: list[_Orphan] = []
    for orphan in orphans:
        kind = orphan.evidence.kind
        if not (orphan.artifact_path.endswith(".py") and kind in (EvidenceKind.LABELS, EvidenceKind.DATASET)):
            out.append(orphan)
            continue
        if orphan.artifact_path not in texts:
            artifact = by_path.get(orphan.artifact_path)
            text = _read_text(artifact) if artifact is not None else None
            texts[orphan.artifact_path] = text.splitlines() if text is not None else []
        lines = texts[orphan.artifact_path]
        line = orphan.evidence.location.line
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        if kind is EvidenceKind.DATASET:
            match = _DEFINITION.match(source)
            out.append(dataclasses.replace(orphan, binding=match.group(1)) if match is not None else orphan)
            continue
        match = _BINDING.match(source)
        if match is not None:
            out.append(dataclasses.replace(orphan, binding=match.group(1)))
    return out


def _reference(orphan: _Orphan, code: _CodeText) -> int | None:
    """The line of a code file that refers to the orphan's module, file or folder, or None."""
    # Substring tests first: most files mention none of an orphan's names, and need no string table.
    if orphan.imported:
        binding = orphan.binding
        if binding is None or binding not in code.text or binding not in code.words:
            return None
        offset = _import_offset(orphan.source, code.text)
        return None if offset is None else code.line_of(offset)
    if orphan.folder is not None:
        return code.folder_line(orphan.folder)
    name = orphan.source.name
    if "\\" not in name and name not in code.text:
        return None
    return code.file_line(name)


def _import_offset(module: PurePosixPath, text: str) -> int | None:
    stem = module.stem if module.stem != "__init__" else module.parent.name
    if not stem.isidentifier():
        return None
    pattern = re.compile(
        rf"^[ \t]*(?:from[ \t]+[\w.]*\b{stem}[ \t]+import\b|from[ \t]+[\w.]+[ \t]+import\b[^\n]*\b{stem}\b|import[ \t]+[\w.]*\b{stem}\b)",
        re.MULTILINE,
    )
    match = pattern.search(text)
    return None if match is None else match.start()


@dataclass(frozen=True)
class _FolderTerms:
    """How code can spell one folder, worked out once per folder rather than once per code file."""

    # The folder's path from the scan root, and each shorter tail of it ("a/b/c", "b/c", "c") that
    # names it: a bare folder name names no folder in particular when it is generic ("data") or short
    # ("S2"); the folder's full path does, generic or not ("./train").
    tails: tuple[str, ...]
    last: str
    # Its non-generic parts, which a string or glob may name alone.
    named: tuple[str, ...]
    # What must be in a file's text for any string in it to name the folder (else only a glob can).
    spelled: tuple[str, ...]


@functools.lru_cache(maxsize=4096)
def _folder_terms(folder: str, named_from: int = 0) -> _FolderTerms:
    path = PurePosixPath(folder)
    parts = [p for p in path.parts if p not in ("", ".")]
    named = tuple(part for part in parts[named_from:] if part.lower() not in GENERIC_SEGMENTS)
    spelled = (path.name, *named)
    if not parts:
        return _FolderTerms((), "", named, spelled)
    distinctive = len(parts[-1]) >= 3 and parts[-1].lower() not in GENERIC_SEGMENTS
    tails = tuple(
        "/".join(parts[start:])
        for start in range(len(parts))
        if start == 0 or start < len(parts) - 1 or distinctive
    )
    return _FolderTerms(tails, parts[-1], named, spelled)


def _folder_offset(folder: _FolderTerms, paths: _StringPaths) -> int | None:
    """The offset of the first string that names the folder: its full path (or a tail of it), or a
    non-generic folder name, or a glob that matches one ('data/Actor_*/*.wav')."""
    if not folder.tails:
        return None
    hits: list[int] = []
    for offset, joined in paths.by_last.get(folder.last, ()):
        if any(joined == tail or joined.endswith("/" + tail) for tail in folder.tails):
            hits.append(offset)
            break
    named_parts = folder.named
    hits.extend(paths.first_exact[part] for part in named_parts if part in paths.first_exact)
    # Each distinct pattern is matched once: a file repeats its format strings and globs.
    for pattern, offset in paths.first_wildcard.items():
        if (not hits or offset < min(hits)) and any(
            fnmatch.fnmatchcase(part, pattern) for part in named_parts
        ):
            hits.append(offset)
    return min(hits) if hits else None


def _copy(source: Evidence, partner: str, line: int) -> Evidence:
    kind = {
        EvidenceKind.MODEL_CONFIG: EvidenceKind.LABELS
        if source.signature_id.startswith("vocab.")
        else EvidenceKind.DATASET,
        EvidenceKind.FILE_NAME: EvidenceKind.DATASET
        if source.signature_id.startswith("dataset.")
        else EvidenceKind.LABELS,
    }.get(source.kind, source.kind)
    if source.signature_id.startswith("model_file."):
        kind = EvidenceKind.FILE_NAME
    where = source.location
    return Evidence(
        kind=kind,
        signature_id=source.signature_id,
        location=Location(partner, line, 1),
        summary=f"uses {where.path}:{where.line}, where {source.summary}",
        modality=source.modality,
        capability=source.capability,
        strength=Strength.ARTIFACT,
        package=source.package,
        labels=source.labels,
    )


# --- modules nothing uses -----------------------------------------------------------------------------------

# Text files that can refer to a module: code, configs, docs, build and deployment files.
_REFERRING_SUFFIXES = frozenset(
    {
        *(".py", ".pyw", ".pyx", ".ipynb", ".md", ".rst", ".txt", ".toml", ".cfg", ".ini", ".yaml", ".yml"),
        *(".json", ".sh", ".bash", ".bat", ".cmd", ".ps1", ".html", ".js", ".ts", ".jsx", ".tsx"),
        # other languages load Python modules too (embedding, subprocess calls)
        *(".c", ".cc", ".cpp", ".h", ".hpp", ".java", ".kt", ".go", ".rs", ".rb", ".php", ".cs", ".swift"),
    }
)
_REFERRING_NAMES = frozenset({"dockerfile", "makefile", "procfile", "justfile", "tox.ini", "noxfile.py"})
_NOT_DORMANT_NAMES = frozenset({"__init__.py", "__main__.py", "setup.py", "conftest.py", "manage.py"})
# Reading every text file of a huge tree to prove a module unused is not worth it.
_MAX_REFERRING_BYTES = 64 * 1024 * 1024
_MIN_STEM = 4
_VENDORED_PARTS = frozenset({"site-packages", "dist-packages", "node_modules", "vendor", "third_party"})


def _dormant_modules(
    artifacts: Sequence[Artifact], evidence: Sequence[Evidence], library_only: Mapping[str, bool | None]
) -> set[str]:
    """Python modules with emotion-recognition evidence that nothing in the scan uses: library code
    (definitions only, no decorators, no top-level calls) whose name no other file mentions. Their
    evidence is dormant: reported, at low confidence."""
    signals = {
        e.location.path
        for e in evidence
        if not e.dormant
        and e.capability in (Capability.EMOTION, Capability.INTENTION, Capability.SENSITIVE_CATEGORISATION)
        and e.strength <= Strength.ARTIFACT
    }
    by_path = {a.path: a for a in artifacts}
    candidates: dict[str, str] = {}
    for path in sorted(signals):
        artifact = by_path.get(path)
        if artifact is None or artifact.kind is not ArtifactKind.PYTHON or artifact.in_archive:
            continue
        name = PurePosixPath(path).name
        stem = PurePosixPath(path).stem
        if name in _NOT_DORMANT_NAMES or stem.startswith("test_") or stem.endswith("_test"):
            continue
        if _VENDORED_PARTS & set(PurePosixPath(path).parts):
            continue  # a vendored package is used by whoever installs it
        if len(stem) < _MIN_STEM or not stem.isidentifier():
            continue
        known = library_only.get(path)
        if known is None:
            text = _read_text(artifact)
            known = text is not None and _library_only(text)
        if known:
            candidates[path] = stem
    if not candidates:
        return set()
    code = {a.path for a in artifacts if a.kind in CODE_KINDS}
    for path in list(candidates):
        if len(code) - (path in code) < 2:
            del candidates[path]  # the module is the project's only code: it is what runs
    if not candidates:
        return set()
    referring = [a for a in artifacts if _can_refer(a)]
    # Case-insensitive: on Windows and macOS `import services.apiCaller` loads APICaller.py. One word
    # set per file, intersected with the stems, keeps this linear in the tree's size.
    by_stem: dict[str, set[str]] = defaultdict(set)
    for path, stem in candidates.items():
        by_stem[stem.lower()].add(path)
    unused = set(candidates)
    budget = _MAX_REFERRING_BYTES
    for artifact in referring:
        if not unused:
            break
        budget -= artifact.size
        if budget < 0:
            return set()
        text = _read_text(artifact)
        if text is None:
            continue
        for stem in by_stem.keys() & _words(text.lower()):
            for path in by_stem[stem]:
                if path != artifact.path:
                    unused.discard(path)
    return unused


def _can_refer(artifact: Artifact) -> bool:
    name = PurePosixPath(artifact.path).name.lower()
    return PurePosixPath(name).suffix in _REFERRING_SUFFIXES or name in _REFERRING_NAMES


def _library_only(text: str) -> bool:
    module = syntax_tree(text)
    return module is not None and definitions_only(module)


def syntax_tree(text: str) -> ast.Module | None:
    """CPython's syntax tree of a module, or None when it does not parse (or nests too deeply)."""
    try:
        return parse_python(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def definitions_only(module: ast.Module) -> bool:
    """Definitions, imports and assignments only: nothing runs when the module is executed, and
    nothing registers itself (decorators) with a framework that would call it."""
    for statement in module.body:
        if isinstance(statement, (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.Pass)):
            continue
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if statement.decorator_list:
                return False
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # a docstring
        if isinstance(statement, ast.Try) and all(
            isinstance(s, (ast.Import, ast.ImportFrom, ast.Assign, ast.Pass))
            for block in (statement.body, *(h.body for h in statement.handlers))
            for s in block
        ):
            continue  # optional imports
        return False
    return True


# --- response fields the project defines itself ------------------------------------------------------


def _evidence_key(evidence: Evidence) -> tuple[str, str, int, int]:
    where = evidence.location
    return (where.path, evidence.signature_id, where.line, where.column)


def _own_field_reads(
    artifacts: Sequence[Artifact], evidence: Sequence[Evidence], catalog: Catalog
) -> tuple[tuple[str, str, int, int], ...]:
    """Reads of a distinctive response field (`x.dominant_emotion`, `d["dominant_emotion"]`) in a file
    that does not import the field's package, where the project's own code defines that name as a
    class field, method or property, or instance attribute: the project's data, not the package's
    response (an emotional-memory library with a `dominant_emotion` property). A local variable named
    like the field does not count: `dominant_emotion = result["dominant_emotion"]` is how code that
    reads a package's response often spells it."""
    imported = {
        (e.location.path, e.package)
        for e in evidence
        if e.package and e.kind in (EvidenceKind.IMPORT, EvidenceKind.BIOMETRIC_INPUT)
    }
    reads = [
        e
        for e in evidence
        if e.kind is EvidenceKind.RESPONSE_FIELD
        and e.package
        and e.strength < Strength.ARTIFACT
        and (e.location.path, e.package) not in imported
    ]
    if not reads:
        return ()
    signatures = {f.id: f for f in catalog.fields}
    names = {name for e in reads if e.signature_id in signatures for name in signatures[e.signature_id].names}
    defined = _defined_attributes(artifacts, names)
    return tuple(
        sorted(
            _evidence_key(e)
            for e in reads
            if e.signature_id in signatures and defined.intersection(signatures[e.signature_id].names)
        )
    )


def _defined_attributes(artifacts: Sequence[Artifact], names: set[str]) -> set[str]:
    """Which of `names` some Python module of the tree defines as an attribute of its own objects."""
    defined: set[str] = set()
    for artifact in artifacts:
        if artifact.kind is not ArtifactKind.PYTHON or defined >= names:
            continue
        text = _read_text(artifact)
        wanted = names - defined
        if text is None or not any(name in text for name in wanted) or not _may_define(text, wanted):
            continue
        module = syntax_tree(text)
        if module is not None:
            defined.update(_attributes_defined(module) & names)
    return defined


def _may_define(text: str, names: set[str]) -> bool:
    """Whether a line of `text` could define one of `names` (`def name`, `name:` or `name =` at the start
    of a line, `self.name =`): most files only read the field, and need no syntax tree."""
    alternatives = "|".join(re.escape(name) for name in sorted(names))
    pattern = (
        rf"^[ \t]*(?:(?:async[ \t]+)?def[ \t]+(?:{alternatives})\b|(?:self\.)?(?:{alternatives})[ \t]*[:=])"
    )
    return re.search(pattern, text, re.MULTILINE) is not None


def _attributes_defined(module: ast.Module) -> set[str]:
    """Names a module defines on its objects: class-body fields and methods, and `self.x = ...`."""
    found: set[str] = set()
    for node in ast.walk(module):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found.add(statement.name)
                elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                    found.add(statement.target.id)
                elif isinstance(statement, ast.Assign):
                    found.update(t.id for t in statement.targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found.update(
                t.attr
                for t in targets
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
            )
    return found


def _local_imports(
    artifacts: Sequence[Artifact], evidence: Sequence[Evidence], catalog: Catalog
) -> tuple[tuple[str, str, int, int], ...]:
    """Import evidence for a dedicated emotion-recognition package whose import name the project's own
    code provides: a package folder (`fer/__init__.py`) or module (`feat.py`) at the scan root, under
    `src/`, or beside the importing file. Python finds that one (a feature-engineering package called
    `feat` is not py-feat); the evidence is dropped, while calls into a catalogued API still count on
    their own (the library's own repository: its examples call it)."""
    imports = [e for e in evidence if e.kind is EvidenceKind.IMPORT and e.package]
    if not imports:
        return ()
    provided: set[tuple[str, str]] = set()  # (folder, top-level module name)
    for artifact in artifacts:
        if artifact.kind is not ArtifactKind.PYTHON:
            continue
        folder, _, name = artifact.path.rpartition("/")
        if name == "__init__.py" and folder:
            parent, _, package_folder = folder.rpartition("/")
            provided.add((parent, package_folder))
        elif name.endswith(".py"):
            provided.add((folder, name[: -len(".py")]))
    if not provided:
        return ()
    local: list[tuple[str, str, int, int]] = []
    for item in imports:
        package = catalog.package_by_name.get(normalise_dist(item.package or ""))
        if package is None or not package.dedicated or not package.imports:
            continue  # an enabler's import (deepface, opencv) only corroborates; its own repository needs it
        here = item.location.path.rpartition("/")[0]
        roots = {name.split(".")[0] for name in package.imports}
        if all(any((folder, root) in provided for folder in ("", "src", here)) for root in roots):
            local.append(_evidence_key(item))
    return tuple(sorted(local))


def _as_own_field(evidence: Sequence[Evidence], keys: set[tuple[str, str, int, int]]) -> list[Evidence]:
    return [
        field_hint(e, f"no {e.package} import in this file, and the project defines that name itself")
        if e.kind is EvidenceKind.RESPONSE_FIELD and _evidence_key(e) in keys
        else e
        for e in evidence
    ]


def field_hint(evidence: Evidence, reason: str) -> Evidence:
    """A response-field read that does not show the package's response (`reason` says why): a weak,
    modality-less hint that needs corroboration. The Python analyzer gates plain-word fields with it."""
    return dataclasses.replace(
        evidence,
        strength=max(evidence.strength, Strength.ARTIFACT),
        modality=Modality.UNKNOWN,
        summary=evidence.summary + f" (but {reason})",
    )


def _as_dormant(evidence: Sequence[Evidence], modules: set[str]) -> list[Evidence]:
    return [
        dataclasses.replace(e, dormant=True, summary=e.summary + " (in a module nothing imports or runs)")
        if e.location.path in modules and not e.dormant
        else e
        for e in evidence
    ]
