"""Find the artifacts to scan: walk folders honouring .gitignore and default excludes, and decide each
file's kind by name and magic bytes (a renamed model file is still recognised).

Nothing here parses content beyond the first bytes; analyzers do that.
"""

from __future__ import annotations

import enum
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import pathspec

from scanner.findings import Notice, NoticeKind


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
    "setup.py": ArtifactKind.PYTHON,
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


def kind_from_magic(head: bytes) -> ArtifactKind | None:
    """The format the first bytes prove, or None. `head` should be at least 16 bytes when available."""
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
    suffix = PurePosixPath(lower).suffix
    return EXTENSIONS.get(suffix, ArtifactKind.OTHER)


@dataclass(frozen=True)
class Artifact:
    """One scannable file. `path` is what reports show (POSIX, relative to the scan root when the
    file is under it); `fs_path` is where to read it."""

    path: str
    fs_path: Path
    kind: ArtifactKind
    size: int

    def open(self) -> BinaryIO:
        return self.fs_path.open("rb")

    def read(self, limit: int | None = None) -> bytes:
        with self.open() as handle:
            return handle.read() if limit is None else handle.read(limit)


@dataclass
class DiscoveryOptions:
    include_vendored: bool = False
    respect_gitignore: bool = True
    exclude: tuple[str, ...] = ()


@dataclass
class Discovered:
    artifacts: list[Artifact] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def display_path(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def discover(paths: list[Path], options: DiscoveryOptions, base: Path | None = None) -> Discovered:
    """Collect artifacts under `paths`. Paths given explicitly are scanned even if ignored, as linters
    do for files named on the command line; folders are walked with the ignore rules."""
    base = (base or Path.cwd()).resolve()
    out = Discovered()
    seen: set[Path] = set()
    exclude = pathspec.GitIgnoreSpec.from_lines(options.exclude) if options.exclude else None
    for given in paths:
        if not os.path.lexists(given):
            out.missing.append(str(given))
            continue
        root = given.resolve() if given.is_dir() else given.parent.resolve()
        if given.is_dir():
            for file_path in _walk(given.resolve(), root, options, exclude, out):
                _add(file_path, base, seen, out)
        else:
            _add(given.resolve(), base, seen, out, explicit=True)
    out.artifacts.sort(key=lambda a: a.path)
    return out


def _add(path: Path, base: Path, seen: set[Path], out: Discovered, explicit: bool = False) -> None:
    if path in seen:
        return
    seen.add(path)
    shown = display_path(path, base)
    try:
        info = path.stat()
    except OSError as exc:
        out.notices.append(Notice(shown, NoticeKind.READ_ERROR, f"cannot read file: {exc.strerror or exc}"))
        return
    if not stat.S_ISREG(info.st_mode):
        if explicit:
            out.notices.append(
                Notice(shown, NoticeKind.UNSUPPORTED, "not a regular file (FIFO, socket or device); skipped")
            )
        return
    kind = kind_from_name(path.name)
    suffix = path.suffix.lower()
    if suffix in SNIFF_EXTENSIONS_ALL and info.st_size > 0:
        try:
            with path.open("rb") as handle:
                sniffed = kind_from_magic(handle.read(16))
        except OSError as exc:
            out.notices.append(
                Notice(shown, NoticeKind.READ_ERROR, f"cannot read file: {exc.strerror or exc}")
            )
            return
        # Magic bytes win over the extension; a .keras file is a zip the Keras analyzer reads.
        if sniffed is not None and not (kind is ArtifactKind.KERAS and sniffed is ArtifactKind.PYTORCH_ZIP):
            kind = sniffed
    out.artifacts.append(Artifact(shown, path, kind, info.st_size))


def _walk(
    top: Path,
    root: Path,
    options: DiscoveryOptions,
    exclude: pathspec.PathSpec[Any] | None,
    out: Discovered,
) -> Iterator[Path]:
    """Depth-first walk that never follows symlinked directories (no loops, no escape from the root)
    and applies .gitignore files found on the way."""
    stack: list[tuple[Path, list[tuple[Path, pathspec.PathSpec[Any]]]]] = [(top, [])]
    while stack:
        directory, specs = stack.pop()
        if options.respect_gitignore:
            specs = specs + _gitignore(directory)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            out.notices.append(
                Notice(
                    display_path(directory, root),
                    NoticeKind.READ_ERROR,
                    f"cannot list folder: {exc.strerror or exc}",
                )
            )
            continue
        subdirs: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_link = entry.is_symlink()
            except OSError:
                continue
            if _ignored(path, is_dir, root, specs, exclude):
                continue
            if is_dir:
                if not options.include_vendored and (entry.name in VENDORED_DIRS or _is_venv(path)):
                    continue
                subdirs.append(path)
            elif is_link:
                # A file link is followed only when it stays inside the scanned root.
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    continue
                if target.is_relative_to(root) and target.is_file():
                    yield target
            else:
                yield path
        stack.extend((d, specs) for d in reversed(subdirs))


def _is_venv(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file()


def _gitignore(directory: Path) -> list[tuple[Path, pathspec.PathSpec[Any]]]:
    ignore = directory / ".gitignore"
    try:
        lines = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    return [(directory, pathspec.GitIgnoreSpec.from_lines(lines))]


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
