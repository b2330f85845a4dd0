"""Find the artifacts to scan: walk folders honouring .gitignore and default excludes, open archives in
place (scanner.archives) so their members become artifacts, and decide each file's kind by name and
magic bytes (a renamed model file is still recognised).

Nothing here parses content beyond the first bytes; analyzers do that.
"""

from __future__ import annotations

import enum
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO

from scanner import archive_formats
from scanner.archive_formats import ArchiveLimits, suffix_of
from scanner.findings import Notice, NoticeKind

if TYPE_CHECKING:
    import pathspec  # imported where used: 30 ms a scan without ignore rules never needs

    from scanner import archives  # imported where used: a scan without archives never needs it
    from scanner.archives import ArchiveMember


class ArtifactKind(str, enum.Enum):
    PYTHON = "python"
    NOTEBOOK = "notebook"
    REQUIREMENTS = "requirements"
    PYPROJECT = "pyproject"
    SETUP_CFG = "setup-cfg"
    SETUP_PY = "setup-py"
    PIPFILE = "pipfile"
    CONDA_ENV = "conda-environment"
    LOCKFILE = "lockfile"
    MODEL_CONFIG = "model-config"  # config.json, preprocessor_config.json, *.index.json
    MODEL_CARD = "model-card"  # README.md with front matter beside a model
    LABELS = "labels"  # labels.txt, classes.txt, label_encoder.txt, tokens.txt
    ONNX = "onnx"
    SAFETENSORS = "safetensors"
    PYTORCH_ZIP = "pytorch-zip"
    PICKLE = "pickle"
    KERAS = "keras"
    HDF5 = "hdf5"
    TFLITE = "tflite"
    GGUF = "gguf"
    DATA_CONFIG = "data-config"  # other YAML and JSON files: label configs, settings naming models
    OTHER = "other"  # not analysed; its name can still be evidence (dataset and model file names)


# Folders that hold third-party or generated code; skipped unless --include-vendored.
VENDORED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        "node_modules",
        "site-packages",
        "dist-packages",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".eggs",
        "__pypackages__",
        ".ipynb_checkpoints",
    }
)

TEXT_NAMES: dict[str, ArtifactKind] = {
    "pyproject.toml": ArtifactKind.PYPROJECT,
    "setup.cfg": ArtifactKind.SETUP_CFG,
    "setup.py": ArtifactKind.SETUP_PY,  # Python, analysed whole: it declares dependencies by name
    "pipfile": ArtifactKind.PIPFILE,
    "pipfile.lock": ArtifactKind.LOCKFILE,
    "poetry.lock": ArtifactKind.LOCKFILE,
    "uv.lock": ArtifactKind.LOCKFILE,
    "pdm.lock": ArtifactKind.LOCKFILE,
    "environment.yml": ArtifactKind.CONDA_ENV,
    "environment.yaml": ArtifactKind.CONDA_ENV,
    "conda.yml": ArtifactKind.CONDA_ENV,
    "conda.yaml": ArtifactKind.CONDA_ENV,
    "config.json": ArtifactKind.MODEL_CONFIG,
    "preprocessor_config.json": ArtifactKind.MODEL_CONFIG,
    "feature_extractor_config.json": ArtifactKind.MODEL_CONFIG,
    "model.safetensors.index.json": ArtifactKind.MODEL_CONFIG,
    "pytorch_model.bin.index.json": ArtifactKind.MODEL_CONFIG,
    "labels.txt": ArtifactKind.LABELS,
    "classes.txt": ArtifactKind.LABELS,
    "class_names.txt": ArtifactKind.LABELS,
    "label_encoder.txt": ArtifactKind.LABELS,
    "tokens.txt": ArtifactKind.LABELS,
}

EXTENSIONS: dict[str, ArtifactKind] = {
    ".yaml": ArtifactKind.DATA_CONFIG,
    ".yml": ArtifactKind.DATA_CONFIG,
    ".json": ArtifactKind.DATA_CONFIG,
    ".py": ArtifactKind.PYTHON,
    ".pyw": ArtifactKind.PYTHON,
    ".ipynb": ArtifactKind.NOTEBOOK,
    ".onnx": ArtifactKind.ONNX,
    ".safetensors": ArtifactKind.SAFETENSORS,
    ".keras": ArtifactKind.KERAS,
    ".h5": ArtifactKind.HDF5,
    ".hdf5": ArtifactKind.HDF5,
    ".tflite": ArtifactKind.TFLITE,
    ".gguf": ArtifactKind.GGUF,
}

# Extensions whose real format is only known from the bytes: sniff them.
SNIFF_EXTENSIONS = frozenset(
    {".pt", ".pth", ".bin", ".ckpt", ".pkl", ".pickle", ".model", ".joblib", ".dat", ".weights", ""}
)
SNIFF_EXTENSIONS_ALL = SNIFF_EXTENSIONS | {
    ".onnx",
    ".safetensors",
    ".keras",
    ".h5",
    ".hdf5",
    ".tflite",
    ".gguf",
}

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
# A Git LFS pointer file ("version https://git-lfs.github.com/spec/v1"), left where a model file was
# when the repository is cloned without LFS.
LFS_POINTER_MAGIC = b"version https://"


def kind_from_magic(head: bytes) -> ArtifactKind | None:
    """The format the first bytes prove, or None. `head` should be at least 16 bytes when available."""
    if head.startswith(LFS_POINTER_MAGIC):
        return ArtifactKind.OTHER  # a Git LFS pointer: the model is not in the checkout, only its name
    if head.startswith(b"GGUF"):
        return ArtifactKind.GGUF
    if head.startswith(HDF5_MAGIC):
        return ArtifactKind.HDF5
    if len(head) >= 8 and head[4:8] == b"TFL3":
        return ArtifactKind.TFLITE
    if head.startswith(b"PK\x03\x04"):
        return ArtifactKind.PYTORCH_ZIP  # refined by the analyzer (PyTorch or Keras archive)
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return ArtifactKind.PICKLE
    if len(head) >= 9 and head[8:9] == b"{":
        header_len = int.from_bytes(head[:8], "little")
        if 2 <= header_len < 1 << 40:
            return ArtifactKind.SAFETENSORS
    return None


def kind_from_name(name: str) -> ArtifactKind:
    lower = name.lower()
    if lower in TEXT_NAMES:
        return TEXT_NAMES[lower]
    if (lower.endswith((".txt", ".in")) and "requirements" in lower) or lower in {"requires.txt"}:
        return ArtifactKind.REQUIREMENTS
    if lower == "readme.md":
        return ArtifactKind.MODEL_CARD
    return EXTENSIONS.get(suffix_of(lower), ArtifactKind.OTHER)


def _kind(name: str, head: bytes) -> ArtifactKind:
    """The kind of a file called `name` (a base name) whose first bytes are `head` (empty when they
    were not read or the file is empty)."""
    kind = kind_from_name(name)
    if head and suffix_of(name) in SNIFF_EXTENSIONS_ALL:
        sniffed = kind_from_magic(head[:16])
        # Magic bytes win over the extension; a .keras file is a zip the Keras analyzer reads.
        if sniffed is not None and not (kind is ArtifactKind.KERAS and sniffed is ArtifactKind.PYTORCH_ZIP):
            kind = sniffed
    return kind


def _artifact_kind(
    name: str, head: bytes, archive: archive_formats.ArchiveFormat | None, model_zip: bool
) -> ArtifactKind:
    if archive is not None:
        return ArtifactKind.OTHER  # a container: its members are the artifacts
    kind = _kind(name, head)
    if model_zip and kind is not ArtifactKind.KERAS:
        # A model zip named .zip, .pt or .tar (`checkpoint.pth.tar`): refined by the analyzer
        # (PyTorch or Keras archive).
        return ArtifactKind.PYTORCH_ZIP
    return kind


def _wants_head(name: str) -> bool:
    return suffix_of(name) in SNIFF_EXTENSIONS_ALL


@dataclass(frozen=True)
class Artifact:
    """One scannable file. `path` is what reports show (POSIX, relative to the scan root when the
    file is under it); `fs_path` is where to read it.

    An archive member (`member` set) shows as `delivery.zip!/pkg/app.py`; its `fs_path` is the outermost
    archive on disk and its bytes come from inside it, so analyzers must read it through `open()` or
    `read()` and must not look beside `fs_path` for sibling files (`sibling()` does that for both)."""

    path: str
    fs_path: Path
    kind: ArtifactKind
    size: int
    member: ArchiveMember | None = None

    @property
    def in_archive(self) -> bool:
        return self.member is not None

    def open(self) -> BinaryIO:
        """A seekable binary stream; OSError when the file or member cannot be read."""
        if self.member is not None:
            from scanner import archives

            return archives.open_member(self.member)
        return self.fs_path.open("rb")

    def read(self, limit: int | None = None) -> bytes:
        with self.open() as handle:
            return handle.read() if limit is None else handle.read(limit)

    def sibling(self, name: str) -> Artifact | None:
        """The regular file called `name` in the same folder as this one: beside it on disk, or in the
        same folder of the same archive for a member. None when there is none (or it is a link, an
        encrypted member, a bomb). OSError when the archive cannot be read."""
        if not name or "/" in name or "\\" in name or name in (".", ".."):
            return None
        shown = str(PurePosixPath(self.path).with_name(name))
        if self.member is not None:
            from scanner import archives

            found = archives.find_sibling(self.member, name)
            if found is None:
                return None
            size = found.steps[-1].size
            head = b""
            if size and _wants_head(name):
                with archives.open_member(found) as handle:
                    head = handle.read(16)
            return Artifact(shown, self.fs_path, _kind(name, head), size, found)
        path = self.fs_path.with_name(name)
        try:
            info = path.lstat()  # a link beside the file could lead anywhere: not followed
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        head = b""
        if info.st_size and _wants_head(name):
            with path.open("rb") as handle:
                head = handle.read(16)
        return Artifact(shown, path, _kind(name, head), info.st_size)


@dataclass
class DiscoveryOptions:
    include_vendored: bool = False
    respect_gitignore: bool = True
    exclude: tuple[str, ...] = ()
    archive_limits: ArchiveLimits = field(default_factory=ArchiveLimits)


@dataclass
class Discovered:
    artifacts: list[Artifact] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def display_path(path: Path, base: Path) -> str:
    """`path` relative to `base` when under it (as Path.relative_to, by string: this runs per file)."""
    text, prefix = str(path), str(base)
    if text == prefix:
        shown = "."
    elif prefix.endswith(os.sep) and text.startswith(prefix):  # base is the root folder
        shown = text[len(prefix) :]
    elif text.startswith(prefix) and text[len(prefix) : len(prefix) + 1] == os.sep:
        shown = text[len(prefix) + 1 :]
    else:
        shown = text
    if os.sep != "/":
        shown = shown.replace(os.sep, "/")
    return shown if shown.isprintable() else printable_name(shown)


def printable_name(name: str) -> str:
    """A file name any report can carry: bytes that are not UTF-8 (decoded by Python as lone
    surrogates, which no UTF-8 output can encode) and control characters (a newline or an escape
    sequence in a name would forge lines or colours in text output) become `\\xNN` escapes, so
    different names stay different."""
    raw = name.encode("utf-8", "surrogateescape")
    text = raw.decode("utf-8", "backslashreplace")
    return "".join(
        ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}"
        for ch in text
    )


def discover(paths: list[Path], options: DiscoveryOptions, base: Path | None = None) -> Discovered:
    """Collect artifacts under `paths`. Paths given explicitly are scanned even if ignored, as linters
    do for files named on the command line; folders are walked with the ignore rules. Archives, given
    or found, are read in place and their members become artifacts."""
    base = (base or Path.cwd()).resolve()
    exclude = _spec(options.exclude) if options.exclude else None
    collector = _Collector(base, options, exclude)
    out = collector.out
    for given in paths:
        if not os.path.lexists(given):
            out.missing.append(str(given))
            continue
        root = given.resolve() if given.is_dir() else given.parent.resolve()
        if given.is_dir():
            for file_path in _walk(given.resolve(), root, options, exclude, out, base):
                collector.add(file_path)
        else:
            collector.add(given.resolve(), explicit=True)
    out.artifacts.sort(key=lambda a: a.path)
    return out


class _Collector:
    """Turns files into artifacts: plain files as themselves, archives as their members."""

    def __init__(self, base: Path, options: DiscoveryOptions, exclude: pathspec.PathSpec[Any] | None) -> None:
        self.base = base
        self.options = options
        self.exclude = exclude
        self.out = Discovered()
        self.seen: set[str] = set()
        # Member bytes kept from listing to analysis, shared by every archive of the scan (made when the
        # first archive is met).
        self.cache: archives.CacheBudget | None = None

    def add(self, path: Path, explicit: bool = False) -> None:
        key = str(path)
        if key in self.seen:
            return
        self.seen.add(key)
        shown = display_path(path, self.base)
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                # Never opened: reading a FIFO blocks forever and a device never ends. Found while
                # walking, it is not content that was lost (not fatal); named explicitly, it was.
                message = "not a regular file (FIFO, socket or device); skipped"
                self.out.notices.append(Notice(shown, NoticeKind.UNSUPPORTED, message, fatal=explicit))
                return
            head = self._head(path, info.st_size)
        except OSError as exc:
            self._read_error(shown, exc)
            return
        fmt = archive_formats.detect_format(path.name, head) if head else None
        listing = self._list(path, shown, fmt) if fmt is not None else None
        model_zip = listing is not None and listing.is_model
        if model_zip:
            fmt = None
        # An archive stays an artifact itself (its name may be evidence) that no analyzer reads.
        kind = _artifact_kind(path.name, head, fmt, model_zip)
        self.out.artifacts.append(Artifact(shown, path, kind, info.st_size))
        unsupported = archive_formats.unsupported_archive(path.name)
        if unsupported is not None:
            self.out.notices.append(Notice(shown, NoticeKind.UNSUPPORTED, unsupported))
        elif fmt is None and head and archive_formats.named_like_archive(path.name) and not model_zip:
            self.out.notices.append(
                Notice(shown, NoticeKind.PARSE_ERROR, "named like an archive, but its bytes are not one")
            )

    @staticmethod
    def _head(path: Path, size: int) -> bytes:
        """The first bytes, for the files whose format only the bytes tell."""
        if size == 0 or not (_wants_head(path.name) or archive_formats.named_like_archive(path.name)):
            return b""
        with path.open("rb") as handle:
            return handle.read(archive_formats.HEAD_BYTES)

    def _list(self, path: Path, shown: str, fmt: archive_formats.ArchiveFormat) -> archives.Listing:
        """List an archive's members as artifacts (a zip that turns out to be a model lists none)."""
        from scanner import archives

        if self.cache is None:
            self.cache = archives.CacheBudget(self.options.archive_limits.max_cached_bytes)
        member_filter = archives.MemberFilter(
            include=self._include_member, wants_head=_wants_head, is_read=self._member_is_read
        )
        listing = archives.list_archive(
            path, shown, fmt, self.options.archive_limits, member_filter, self.cache
        )
        self.out.notices.extend(listing.notices)
        for entry in listing.entries:
            name = entry.inner_path.rsplit("/", 1)[-1]
            kind = _artifact_kind(name, entry.head, entry.archive, entry.model_zip)
            self.out.artifacts.append(Artifact(entry.display, path, kind, entry.size, entry.member))
        return listing

    def _include_member(self, inner_path: str) -> bool:
        """Vendored folders and --exclude apply inside archives as on disk. .gitignore does not: it
        tells what was left out of version control, while an archive holds what was shipped."""
        folders = inner_path.split("/")[:-1]
        if not self.options.include_vendored and any(part in VENDORED_DIRS for part in folders):
            return False
        return self.exclude is None or not self.exclude.match_file(inner_path)

    def _member_is_read(self, inner_path: str, head: bytes) -> bool:
        return _kind(inner_path.rsplit("/", 1)[-1], head) is not ArtifactKind.OTHER

    def _read_error(self, shown: str, exc: OSError) -> None:
        self.out.notices.append(
            Notice(shown, NoticeKind.READ_ERROR, f"cannot read file: {exc.strerror or exc}")
        )


def _walk(
    top: Path,
    root: Path,
    options: DiscoveryOptions,
    exclude: pathspec.PathSpec[Any] | None,
    out: Discovered,
    base: Path | None = None,
) -> Iterator[Path]:
    """Depth-first walk that never follows symlinked directories (no loops, no escape from the root)
    and applies .gitignore files found on the way. Notices name paths relative to `base`."""
    shown_base = base or root
    stack: list[tuple[Path, list[tuple[Path, pathspec.PathSpec[Any]]]]] = [(top, [])]
    while stack:
        directory, specs = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            out.notices.append(
                Notice(
                    display_path(directory, shown_base),
                    NoticeKind.READ_ERROR,
                    f"cannot list folder: {exc.strerror or exc}",
                )
            )
            continue
        # The listing tells whether a folder holds a .gitignore or a pyvenv.cfg: no failed open or
        # stat per folder (a tenth of the walk on a tree like django's).
        names = {entry.name for entry in entries}
        if (
            directory != top
            and not options.include_vendored
            and "pyvenv.cfg" in names
            and _is_venv(directory)
        ):
            continue
        if options.respect_gitignore and ".gitignore" in names:
            specs = specs + _gitignore(directory)
        check = bool(specs) or exclude is not None
        subdirs: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_link = entry.is_symlink()
            except OSError:
                continue
            if check and _ignored(path, is_dir, root, specs, exclude):
                continue
            if is_dir:
                if not options.include_vendored and entry.name in VENDORED_DIRS:
                    continue
                subdirs.append(path)
            elif is_link:
                # A file link is followed only when it stays inside the scanned root. A folder link
                # never is: what it points to inside the root is walked under its own name.
                problem = None
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    problem = "symbolic link that cannot be resolved (a loop, or its target is missing)"
                else:
                    if not target.is_relative_to(root):
                        problem = "symbolic link to a path outside the scanned folder; not followed"
                    elif target.is_file():
                        yield target
                if problem is not None:
                    notice = Notice(
                        display_path(path, shown_base), NoticeKind.UNSUPPORTED, problem, fatal=False
                    )
                    out.notices.append(notice)
            else:
                yield path
        stack.extend((d, specs) for d in reversed(subdirs))


def _is_venv(path: Path) -> bool:
    try:
        return (path / "pyvenv.cfg").is_file()
    except OSError:  # a path past PATH_MAX (ENAMETOOLONG), which pathlib does not swallow
        return False


def _spec(lines: Sequence[str]) -> pathspec.PathSpec[Any]:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _gitignore(directory: Path) -> list[tuple[Path, pathspec.PathSpec[Any]]]:
    ignore = directory / ".gitignore"
    try:
        lines = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    return [(directory, _spec(lines))]


def _ignored(
    path: Path,
    is_dir: bool,
    root: Path,
    specs: list[tuple[Path, pathspec.PathSpec[Any]]],
    exclude: pathspec.PathSpec[Any] | None,
) -> bool:
    suffix = "/" if is_dir else ""
    for base, spec in specs:
        if spec.match_file(path.relative_to(base).as_posix() + suffix):
            return True
    if exclude is not None:
        return exclude.match_file(path.relative_to(root).as_posix() + suffix)
    return False
