"""Archive formats by name and first bytes, and the bounds on reading archives: what discovery needs
for every file. Listing and reading archives (scanner/archives.py, with zipfile and tarfile) is imported
only when a scan meets an archive."""

from __future__ import annotations

import enum
from dataclasses import dataclass

MiB = 1024 * 1024
GiB = 1024 * MiB

# Bytes of a member read during listing to tell its format (tar's "ustar" magic sits at byte 257).
HEAD_BYTES = 512


class ArchiveFormat(str, enum.Enum):
    ZIP = "zip"
    # A zip whose central directory is missing or broken (a truncated download), read member by member
    # through the local headers that precede each member's data.
    ZIP_LOCAL = "zip-local-headers"
    TAR = "tar"
    TAR_GZ = "tar.gz"
    TAR_BZ2 = "tar.bz2"
    TAR_XZ = "tar.xz"


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds that keep a hostile archive from costing unbounded time or memory. Each outermost archive
    (with everything nested in it) has its own budget; exceeding a bound is a notice naming the archive,
    the member and the bound, and the rest of the scan goes on."""

    # Uncompressed bytes the scan may read from one archive: members that will be analysed and nested
    # archives. A tar stream is also read at most this far, since listing it decompresses everything.
    max_total_bytes: int = 2 * GiB
    # Entries listed per archive, nested archives included.
    max_members: int = 100_000
    # A member over `ratio_min_bytes` that expands more than this from its compressed size is a bomb.
    max_ratio: int = 200
    ratio_min_bytes: int = 1 * MiB
    # Archive layers: 1 reads a zip but not the zips inside it.
    max_depth: int = 3
    # A nested archive is held in memory to be read; larger ones are not opened.
    max_nested_bytes: int = 256 * MiB
    # Notices per archive; the rest are counted in one closing notice.
    max_notices: int = 100
    # Small members of compressed tar streams that the scan will read are kept in memory from listing to
    # analysis (a compressed stream can only be re-read from its start), up to this many bytes for the
    # whole scan; beyond it they are read again from the stream.
    max_cached_bytes: int = 256 * MiB


# --- formats ---------------------------------------------------------------------------------------

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a member's local header; an empty zip's end record
GZIP_MAGIC = b"\x1f\x8b"
BZ2_MAGIC = b"BZh"
XZ_MAGIC = b"\xfd7zXZ\x00"

# Zips that are archives whatever they hold (jar-like packagings included).
ZIP_SUFFIXES = frozenset({".zip", ".whl", ".jar", ".war", ".ear", ".egg", ".nupkg", ".apk", ".aar"})
# Zips named like this may be a model saved as a zip (PyTorch checkpoint, Keras v3): their entry names
# decide. Other zip-based formats (.keras, .pt, .npz, .docx...) are never descended into.
ZIP_MAYBE_MODEL_SUFFIXES = frozenset({".zip", "", ".bin", ".dat", ".model", ".weights", ".tar"})

TAR_SUFFIXES: dict[str, ArchiveFormat] = {
    ".tar": ArchiveFormat.TAR,
    ".tar.gz": ArchiveFormat.TAR_GZ,
    ".tgz": ArchiveFormat.TAR_GZ,
    ".tar.bz2": ArchiveFormat.TAR_BZ2,
    ".tbz2": ArchiveFormat.TAR_BZ2,
    ".tbz": ArchiveFormat.TAR_BZ2,
    ".tar.xz": ArchiveFormat.TAR_XZ,
    ".txz": ArchiveFormat.TAR_XZ,
    # lzma's reader also takes the older .lzma container.
    ".tar.lzma": ArchiveFormat.TAR_XZ,
    ".tlz": ArchiveFormat.TAR_XZ,
}
# Archives the standard library cannot read: their contents go unscanned, which a notice must say.
UNSUPPORTED_SUFFIXES = (".7z", ".rar", ".tar.zst", ".tzst", ".tar.lz4", ".tar.lz", ".tar.z", ".cab")

_TAR_ENDINGS = tuple(TAR_SUFFIXES)


def suffix_of(name: str) -> str:
    """As PurePosixPath(name).suffix, lower-cased, without building a path (this runs per file and per
    archive member)."""
    base = name.rsplit("/", 1)[-1].lower()
    dot = base.rfind(".")
    return base[dot:] if 0 < dot < len(base) - 1 else ""


def tar_format_by_name(name: str) -> ArchiveFormat | None:
    lower = name.lower()
    if not lower.endswith(_TAR_ENDINGS):
        return None
    for suffix, fmt in TAR_SUFFIXES.items():
        if lower.endswith(suffix):
            return fmt
    return None


def named_like_archive(name: str) -> bool:
    return suffix_of(name) in ZIP_SUFFIXES or tar_format_by_name(name) is not None


def unsupported_archive(name: str) -> str | None:
    """A notice message for an archive in a format that cannot be read, else None."""
    lower = name.lower()
    for suffix in UNSUPPORTED_SUFFIXES:
        if lower.endswith(suffix):
            return (
                f"{suffix} archives cannot be read (no reader in the standard library); contents not scanned"
            )
    return None


def detect_format(name: str, head: bytes) -> ArchiveFormat | None:
    """The archive format to descend into, from the name and the first bytes, or None. A zip named
    like a possible model (`zip_may_be_model`) still needs `is_model_zip` on its entry names."""
    by_name = tar_format_by_name(name)
    if by_name is not None:
        if head.startswith(ZIP_MAGICS):
            # torch.save writes a zip whatever the name: research code calls it `checkpoint.pth.tar`.
            return ArchiveFormat.ZIP
        # The bytes win over the name (a .tgz that is really bzip2, a .tar.gz that was never compressed);
        # with neither, the name's format is tried and its error becomes a notice.
        return _compression_by_magic(head) or (ArchiveFormat.TAR if _is_tar_header(head) else by_name)
    if head.startswith(ZIP_MAGICS) and (
        suffix_of(name) in ZIP_SUFFIXES or suffix_of(name) in ZIP_MAYBE_MODEL_SUFFIXES
    ):
        return ArchiveFormat.ZIP
    return None


def zip_may_be_model(name: str) -> bool:
    return suffix_of(name) in ZIP_MAYBE_MODEL_SUFFIXES


def _compression_by_magic(head: bytes) -> ArchiveFormat | None:
    if head.startswith(GZIP_MAGIC):
        return ArchiveFormat.TAR_GZ
    if head.startswith(BZ2_MAGIC):
        return ArchiveFormat.TAR_BZ2
    if head.startswith(XZ_MAGIC):
        return ArchiveFormat.TAR_XZ
    return None


def _is_tar_header(head: bytes) -> bool:
    return len(head) >= 262 and head[257:262] == b"ustar"


def is_model_zip(names: list[str]) -> bool:
    """A PyTorch checkpoint (`<dir>/data.pkl` beside its `version` record) or a Keras v3 archive
    (config.json, metadata.json and the weights at the root): a model, not an archive to descend into."""
    present = set(names)
    if {"config.json", "metadata.json"} <= present and (
        "model.weights.h5" in present or "model.weights.npz" in present
    ):
        return True
    for name in names:
        if name == "data.pkl" or (name.endswith("/data.pkl") and name.count("/") == 1):
            top = name[: -len("data.pkl")]
            if f"{top}version" in present or f"{top}.data/version" in present or f"{top}byteorder" in present:
                return True
    return False
