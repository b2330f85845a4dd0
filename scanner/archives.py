"""Read archives in place: zip (wheels, jars, eggs, sdists), tar and compressed tar (.tar.gz, .tar.bz2,
.tar.xz), nested to a bounded depth. Nothing is ever extracted to disk; members are read as streams.

Two halves:
- listing (`list_archive`): walk an archive once during discovery and return a `MemberEntry` for every
  regular member worth an artifact, plus the notices for what was skipped and why (bombs, bounds, links,
  encrypted or damaged members, unsafe names);
- reading (`open_member`): the bytes of one listed member, later, from an `ArchiveMember` reference.
  The reference is a small frozen value (archive path + the chain of members down to it), so it pickles
  into a worker process; each thread keeps a small LRU of open archives, so reading the 10,000 members
  of one archive opens it once and never holds more than a few file descriptors.

Formats by name and magic bytes, and the bounds, are in scanner/archive_formats.py (discovery needs them
for every file; this module only when it meets an archive). This module knows archive formats, not
artifact kinds: the caller passes a `MemberFilter` that says which
members it wants and which of them the scan will read.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import re
import stat
import struct
import tarfile
import threading
import unicodedata
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import closing, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, Protocol

from scanner.archive_formats import (
    HEAD_BYTES,
    ArchiveFormat,
    ArchiveLimits,
    MiB,
    detect_format,
    is_model_zip,
    named_like_archive,
    unsupported_archive,
    zip_may_be_model,
)
from scanner.findings import Notice, NoticeKind

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer


@dataclass(frozen=True)
class MemberStep:
    """One member on the way down to an artifact."""

    # Format of the archive this member is read from.
    archive_format: ArchiveFormat
    # The member's name as stored (unsanitised; used to check the archive did not change).
    name: str
    # Where it is: zip, the index in the central directory (names can repeat); recovered zip, the offset
    # of its local header; tar, the offset of its data in the uncompressed stream.
    locator: int
    # Uncompressed size.
    size: int


@dataclass(frozen=True)
class ArchiveMember:
    """A member of an archive on disk, possibly inside nested archives: everything needed to read it
    again, in this process or another."""

    archive_path: Path
    steps: tuple[MemberStep, ...]
    # (inode, size, mtime_ns) of the archive when it was listed: a changed file is not read with stale
    # offsets, and a cached handle of the old file is not reused.
    stamp: tuple[int, int, int]
    # The member's bytes, kept while listing a compressed tar stream (see ArchiveLimits.max_cached_bytes).
    inline: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def member_chain(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.steps)


@dataclass(frozen=True)
class MemberEntry:
    """A regular member found while listing, for the caller to turn into an artifact."""

    member: ArchiveMember
    # Sanitised POSIX path inside its own (innermost) archive: what kinds and filters look at.
    inner_path: str
    # What reports show: `delivery.zip!/pkg/app.py`, `outer.zip!/inner.tar.gz!/pkg/app.py`.
    display: str
    size: int
    # The first HEAD_BYTES bytes when the filter asked for them (or the member might be an archive).
    head: bytes
    # The member is itself an archive (listed too, when the bounds allowed): not an artifact to analyse.
    archive: ArchiveFormat | None = None
    # The member is a zip whose entry names show a model (PyTorch checkpoint, Keras v3 archive).
    model_zip: bool = False


@dataclass(frozen=True)
class MemberFilter:
    """What the caller wants from an archive, by member path (sanitised, inside its archive)."""

    # False skips the member silently (vendored folders, --exclude).
    include: Callable[[str], bool] = lambda _path: True
    # True reads the member's first bytes into `MemberEntry.head` (to sniff its format).
    wants_head: Callable[[str], bool] = lambda _path: False
    # True when the scan will read this member (path, head): it counts against `max_total_bytes`.
    is_read: Callable[[str, bytes], bool] = lambda _path, _head: True


@dataclass
class CacheBudget:
    """What is left of ArchiveLimits.max_cached_bytes, shared by the archives of one scan."""

    left: int


@dataclass
class Listing:
    entries: list[MemberEntry] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    # The zip is a model saved as a zip (`is_model_zip`), not an archive: nothing is listed.
    is_model: bool = False


class _Stream(Protocol):
    """What member readers need of a decompressing stream (a ZipExtFile, a GzipFile, a file)."""

    def read(self, size: int = ..., /) -> bytes: ...

    def seek(self, offset: int, whence: int = ..., /) -> int: ...

    def tell(self) -> int: ...

    def close(self) -> None: ...


_Opener = Callable[[], _Stream]


# Compression methods zipfile reads: stored, deflate, bzip2, lzma.
_ZIP_METHODS = {0: "stored", 8: "deflate", 12: "bzip2", 14: "lzma"}
_ZIP_METHOD_NAMES = {1: "shrink", 6: "implode", 9: "deflate64", 93: "zstandard", 95: "xz", 98: "ppmd"}


# --- member names ----------------------------------------------------------------------------------


_DRIVE = re.compile(r"^[A-Za-z]:(?=/|$)")


def clean_member_name(name: str) -> tuple[str, str | None]:
    """A member name as a safe relative POSIX path for display, and what was unsafe about it (None
    when nothing). Nothing is written to disk, so an unsafe name cannot do harm here; it is shown
    rewritten so that a report path never climbs out of the archive (`../x.py` would resolve to a file
    beside it), and the notice keeps the original."""
    text = _printable(name).replace("\\", "/")
    problem = None
    drive = _DRIVE.match(text)
    if drive is not None or text.startswith("/"):
        problem = "is an absolute path"
        text = text[drive.end() :] if drive is not None else text
    parts = []
    for part in text.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            problem = problem or "climbs out of the archive with '..'"
            part = "__"
        parts.append(part)
    return "/".join(parts), problem


def _printable(name: str) -> str:
    # Tar names that are not UTF-8 come back with lone surrogates, which no report could encode; control
    # characters would forge lines in text output.
    if name.isascii() and name.isprintable():
        return name
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join("?" if unicodedata.category(ch) == "Cc" else ch for ch in text)


# --- listing ---------------------------------------------------------------------------------------


def list_archive(
    path: Path,
    display: str,
    fmt: ArchiveFormat,
    limits: ArchiveLimits | None = None,
    member_filter: MemberFilter | None = None,
    cache: CacheBudget | None = None,
) -> Listing:
    """List the members of the archive at `path` (shown as `display`), descending into nested
    archives. Never raises for bad input: problems are notices in the listing. `cache` is shared by
    the archives of one scan (a fresh one per call by default)."""
    limits = limits or ArchiveLimits()
    cache = cache or CacheBudget(limits.max_cached_bytes)
    lister = _Lister(path, limits, member_filter or MemberFilter(), cache)
    lister.run(display, fmt)
    return lister.listing


class _Stop(Exception):
    """A bound of the whole archive was reached: list nothing more."""


class _Damaged(Exception):
    """A member or archive could not be read; the message says why, `member` names the member."""

    def __init__(self, message: str, member: str | None = None) -> None:
        super().__init__(message)
        self.member = member


# Errors a damaged zip raises while being opened or read.
_ZIP_OPEN_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,  # a zip version or feature zipfile does not support
    OSError,
    EOFError,
    ValueError,
    struct.error,
)
_DECODE_ERRORS = (
    zipfile.BadZipFile,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    RuntimeError,  # zipfile: a member that needs a password
    NotImplementedError,  # zipfile: a compression method it cannot read
    struct.error,
    tarfile.TarError,
    OSError,
    # zipfile on a damaged header: a name flagged UTF-8 that is not (UnicodeDecodeError), an offset that
    # points before the file ("negative seek value"). Found by benchmarks/fuzz.py.
    ValueError,
)


@dataclass
class _Seen:
    """A regular member that passed the checks, about to be listed."""

    step: MemberStep
    clean: str  # sanitised path inside its archive
    shown: str  # display path
    head: bytes
    nested: ArchiveFormat | None  # the format it has when it is an archive itself
    blob: bytes | None  # its bytes when it is a nested archive to descend into
    # Uncompressed bytes reading it costs: nothing for random-access members (stored in a zip, in a
    # plain tar), whose analyzers read only what they need.
    cost: int
    inline: bytes | None = None  # its bytes kept from the listing pass
    raw_start: int = 0  # compressed stream position at its header (tar members)


class _Lister:
    def __init__(
        self, path: Path, limits: ArchiveLimits, member_filter: MemberFilter, cache: CacheBudget
    ) -> None:
        self.path = path
        self.cache = cache
        self.limits = limits
        self.filter = member_filter
        self.listing = Listing()
        self.members_left = limits.max_members
        self.bytes_left = limits.max_total_bytes
        self.stamp = (0, 0, 0)
        self._notices = 0
        self._unlisted_notices = 0
        self._display = ""

    def run(self, display: str, fmt: ArchiveFormat) -> None:
        self._display = display
        try:
            info = self.path.stat()
            self.stamp = _stamp_of(info)
            with self.path.open("rb") as handle:
                maybe_model = zip_may_be_model(self.path.name)
                self.listing.is_model = self.archive(handle, fmt, display, (), 1, maybe_model)
        except OSError as exc:
            self.notice(display, NoticeKind.READ_ERROR, f"cannot read archive: {exc.strerror or exc}")
        except _Stop:
            pass
        except Exception as exc:  # the last line of defence: one archive never stops a scan
            self.notice(
                display,
                NoticeKind.PARSE_ERROR,
                f"internal error while listing ({type(exc).__name__}: {exc}); please report it",
            )
        if self._unlisted_notices:
            self.listing.notices.append(
                Notice(
                    display,
                    NoticeKind.PARTIAL,
                    f"{self._unlisted_notices:,} more problems in this archive are not listed "
                    f"(bound: {self.limits.max_notices} notices per archive)",
                )
            )

    # -- bookkeeping --

    def notice(self, path: str, kind: NoticeKind, message: str, fatal: bool = True) -> None:
        if self._notices >= self.limits.max_notices:
            self._unlisted_notices += 1
            return
        self._notices += 1
        self.listing.notices.append(Notice(path, kind, message, fatal))

    def take_member(self, shown: str) -> None:
        if self.members_left <= 0:
            self.notice(
                self._display,
                NoticeKind.TOO_LARGE,
                f"more than {self.limits.max_members:,} entries (bound: max_members); "
                f"listing stopped at {shown}",
            )
            raise _Stop
        self.members_left -= 1

    def take_bytes(self, shown: str, size: int) -> bool:
        if size > self.bytes_left:
            self.notice(
                shown,
                NoticeKind.TOO_LARGE,
                f"{size:,} bytes would take the archive over {self.limits.max_total_bytes:,} bytes read "
                f"(bound: max_total_bytes; {self.bytes_left:,} left); skipped",
            )
            return False
        self.bytes_left -= size
        return True

    def is_bomb(self, shown: str, size: int, compressed: int, about: str = "") -> bool:
        limits = self.limits
        if not _expands_like_a_bomb(size, compressed, limits):
            return False
        ratio = size // max(compressed, 1)
        self.notice(
            shown,
            NoticeKind.TOO_LARGE,
            f"expands to {size:,} bytes from {about}{compressed:,} compressed bytes ({ratio:,}:1, over the "
            f"{limits.max_ratio}:1 bound for members over {limits.ratio_min_bytes:,} bytes; max_ratio): "
            "a decompression bomb; skipped",
        )
        return True

    def shown_name(self, display: str, clean: str, seen: dict[str, int]) -> str:
        """The display path of a member; a repeated name gets a suffix so each copy is reported."""
        count = seen.get(clean, 0) + 1
        seen[clean] = count
        if count == 1:
            return f"{display}!/{clean}"
        shown = f"{display}!/{clean} ({count})"
        self.notice(
            shown,
            NoticeKind.PARTIAL,
            f"the archive holds {count} entries named {clean!r}; each is scanned, this one as {shown!r}",
            fatal=False,
        )
        return shown

    # -- one archive --

    def archive(
        self,
        handle: BinaryIO,
        fmt: ArchiveFormat,
        display: str,
        steps: tuple[MemberStep, ...],
        depth: int,
        maybe_model: bool = False,
    ) -> bool:
        """List one archive; True when, named like a possible model, it is a model saved as a zip (then
        nothing is listed: the model analyzers read it)."""
        if fmt is ArchiveFormat.ZIP:
            return self.zip(handle, display, steps, depth, maybe_model)
        self.tar(handle, fmt, display, steps, depth)
        return False

    def member(self, seen: _Seen, steps: tuple[MemberStep, ...], depth: int) -> None:
        """List a member as an artifact, and descend into it when `seen.blob` holds a nested archive
        (whose bytes `nested_blob` already counted)."""
        chain = (*steps, seen.step)
        clean = seen.clean
        loaded = seen.blob is not None and seen.nested is not None
        model = False
        if seen.blob is not None and seen.nested is not None:
            maybe_model = zip_may_be_model(clean)
            model = self.archive(
                io.BytesIO(seen.blob), seen.nested, seen.shown, chain, depth + 1, maybe_model
            )
        # A zip that might be a model but was not opened (a bound) is left to the kind its bytes show.
        archive = seen.nested if not model and (loaded or not zip_may_be_model(clean)) else None
        reads = archive is None and self.filter.is_read(clean, seen.head)
        # A loaded archive's bytes were counted by nested_blob.
        if reads and not loaded and not self.take_bytes(seen.shown, seen.cost):
            return
        member = ArchiveMember(self.path, chain, self.stamp, seen.inline)
        size = seen.step.size
        self.listing.entries.append(MemberEntry(member, clean, seen.shown, size, seen.head, archive, model))

    def nested_blob(
        self, step: MemberStep, clean: str, shown: str, head: bytes, depth: int
    ) -> tuple[ArchiveFormat | None, bool]:
        """(format, whether to load it) for a member that may be a nested archive."""
        nested = detect_format(clean, head)
        if nested is None:
            unsupported = unsupported_archive(clean)
            if unsupported is not None:
                self.notice(shown, NoticeKind.UNSUPPORTED, unsupported)
            elif named_like_archive(clean) and head:
                self.notice(shown, NoticeKind.PARSE_ERROR, "named like an archive but is not one")
            return None, False
        if depth >= self.limits.max_depth:
            self.notice(
                shown,
                NoticeKind.TOO_LARGE,
                f"archive nested {depth + 1} deep (bound: max_depth {self.limits.max_depth}); not opened",
            )
            return nested, False
        if step.size > self.limits.max_nested_bytes:
            self.notice(
                shown,
                NoticeKind.TOO_LARGE,
                f"nested archive of {step.size:,} bytes is over the {self.limits.max_nested_bytes:,}-byte "
                "bound for archives held in memory (max_nested_bytes); not opened",
            )
            return nested, False
        return nested, self.take_bytes(shown, step.size)

    def wants_head(self, clean: str) -> bool:
        return self.filter.wants_head(clean) or named_like_archive(clean) or zip_may_be_model(clean)

    # -- zip --

    def zip(
        self, handle: BinaryIO, display: str, steps: tuple[MemberStep, ...], depth: int, maybe_model: bool
    ) -> bool:
        problem = _zip_directory_problem(handle, self.members_left, self.limits.max_members)
        if problem is not None:
            self.notice(display, NoticeKind.TOO_LARGE, f"{problem}; not opened")
            return False
        try:
            archive = zipfile.ZipFile(handle)
        except _ZIP_OPEN_ERRORS as exc:
            self.notice(
                display,
                NoticeKind.PARSE_ERROR,
                f"damaged zip archive ({exc}); members readable from their local headers are scanned",
            )
            self.zip_local(handle, display, steps, depth)
            return False
        with archive:
            if maybe_model and is_model_zip(archive.namelist()):
                return True
            seen: dict[str, int] = {}
            for index, info in enumerate(archive.infolist()):
                step = MemberStep(ArchiveFormat.ZIP, info.filename, index, info.file_size)
                self.zip_member(info, step, partial(archive.open, info), display, seen, steps, depth)
        return False

    def zip_local(self, handle: BinaryIO, display: str, steps: tuple[MemberStep, ...], depth: int) -> None:
        seen: dict[str, int] = {}
        try:
            for offset, info, data_offset in _local_members(handle):
                step = MemberStep(ArchiveFormat.ZIP_LOCAL, info.filename, offset, info.file_size)
                opener = _local_opener(handle, info, data_offset)
                self.zip_member(info, step, opener, display, seen, steps, depth)
        except _Damaged as exc:
            where = display if exc.member is None else f"{display}!/{clean_member_name(exc.member)[0]}"
            self.notice(where, NoticeKind.PARSE_ERROR, str(exc))

    def zip_member(
        self,
        info: zipfile.ZipInfo,
        step: MemberStep,
        opener: _Opener,
        display: str,
        seen: dict[str, int],
        steps: tuple[MemberStep, ...],
        depth: int,
    ) -> None:
        clean, unsafe = clean_member_name(info.filename)
        # Every entry counts against max_members, folders and filtered ones too: each costs time.
        self.take_member(f"{display}!/{clean}")
        # `not clean` first: ZipInfo.is_dir() raises IndexError on an empty name (a recovered header).
        if not clean or info.is_dir() or not self.filter.include(clean):
            return
        shown = self.shown_name(display, clean, seen)
        if unsafe is not None:
            self.unsafe_name(shown, info.filename, unsafe)
        if not self.zip_member_readable(info, shown):
            return
        if self.is_bomb(shown, info.file_size, info.compress_size):
            return
        head, nested, blob = b"", None, None
        try:
            if self.wants_head(clean) and info.file_size:
                head = _read_head(opener)
            nested, load = self.nested_blob(step, clean, shown, head, depth)
            if load:
                blob = _read_all(opener, info.file_size)
        except _Damaged as exc:
            self.notice(shown, NoticeKind.READ_ERROR, f"cannot read member: {exc}")
            return
        cost = 0 if info.compress_type == zipfile.ZIP_STORED else info.file_size
        self.member(_Seen(step, clean, shown, head, nested, blob, cost), steps, depth)

    def zip_member_readable(self, info: zipfile.ZipInfo, shown: str) -> bool:
        problem = _zip_member_problem(info)
        if problem is not None:
            message, fatal = problem
            self.notice(shown, NoticeKind.UNSUPPORTED, message, fatal)
        return problem is None

    def unsafe_name(self, shown: str, original: str, problem: str) -> None:
        self.notice(
            shown,
            NoticeKind.PARTIAL,
            f"member name {original!r} {problem}; scanned in place as {shown!r}, nothing is written to disk",
            fatal=False,
        )

    # -- tar --

    def tar(
        self,
        handle: BinaryIO,
        fmt: ArchiveFormat,
        display: str,
        steps: tuple[MemberStep, ...],
        depth: int,
    ) -> None:
        try:
            stream = _decompressed(handle, fmt)
            # Crossing a member of a compressed stream decompresses it; a plain tar just seeks.
            limit = self.limits.max_total_bytes if fmt is not ArchiveFormat.TAR else _NO_LIMIT
            archive = tarfile.TarFile(fileobj=_BoundedTarStream(stream, limit), mode="r")
        except _OverBound as exc:
            self.notice(display, NoticeKind.TOO_LARGE, str(exc))
            return
        except _DECODE_ERRORS as exc:
            self.notice(display, NoticeKind.PARSE_ERROR, f"not a readable {fmt.value} archive: {exc}")
            return
        walk = _TarWalk(self, archive, stream, handle, fmt, display, steps, depth)
        walk.run()


class _TarWalk:
    """One pass through a tar stream. Members are listed one step late: a compressed stream tells how
    many compressed bytes a member took only once the next header has been read."""

    def __init__(
        self,
        lister: _Lister,
        archive: tarfile.TarFile,
        stream: _Stream,
        raw: BinaryIO,
        fmt: ArchiveFormat,
        display: str,
        steps: tuple[MemberStep, ...],
        depth: int,
    ) -> None:
        self.lister = lister
        self.archive = archive
        self.stream = stream
        self.raw = raw
        self.fmt = fmt
        self.display = display
        self.steps = steps
        self.depth = depth
        self.seen: dict[str, int] = {}
        self.pending: _Seen | None = None

    def run(self) -> None:
        last = "the first member"
        while True:
            try:
                info = self.archive.next()
            except _OverBound as exc:
                # The member being crossed is not listed: reaching its end is what the bound refused.
                self.pending = None
                self.lister.notice(
                    self.display,
                    NoticeKind.TOO_LARGE,
                    f"{exc}; listing stopped at {last}, the members before it are scanned",
                )
                return
            except _DECODE_ERRORS as exc:
                self.finish_pending_if_complete()
                self.lister.notice(
                    self.display,
                    NoticeKind.PARSE_ERROR,
                    f"damaged or truncated after {last} ({exc or type(exc).__name__}); "
                    "the members before it are scanned",
                )
                return
            self.finish_pending()
            if info is None:
                return
            last = repr(info.name)
            self.pending = self.start(info)
            _forget_headers(self.archive)

    def start(self, info: tarfile.TarInfo) -> _Seen | None:
        lister = self.lister
        clean, unsafe = clean_member_name(info.name)
        # Every entry counts against max_members, folders and filtered ones too: each costs time.
        lister.take_member(f"{self.display}!/{clean}")
        if info.isdir() or not clean or not lister.filter.include(clean):
            return None
        shown = lister.shown_name(self.display, clean, self.seen)
        if unsafe is not None:
            lister.unsafe_name(shown, info.name, unsafe)
        if not self.readable(info, shown):
            return None
        step = MemberStep(self.fmt, info.name, info.offset_data, info.size)
        raw_start = self.raw.tell()
        head, blob, inline = b"", None, None
        # Reads only ever go forward here: a compressed stream seeks back by starting over.
        try:
            if lister.wants_head(clean) and info.size:
                head = self.read(info.offset_data, min(HEAD_BYTES, info.size))
            nested, load = lister.nested_blob(step, clean, shown, head, self.depth)
            if load:
                blob = head + self.read(info.offset_data + len(head), info.size - len(head))
            elif nested is None and self.keep_inline(clean, head, info.size):
                inline = head + self.read(info.offset_data + len(head), info.size - len(head))
        except _Damaged as exc:
            lister.notice(shown, NoticeKind.READ_ERROR, f"cannot read member: {exc}")
            return None
        cost = 0 if self.fmt is ArchiveFormat.TAR else info.size
        return _Seen(step, clean, shown, head, nested, blob, cost, inline, raw_start)

    def keep_inline(self, clean: str, head: bytes, size: int) -> bool:
        """Whether to keep a member's bytes from the listing pass (and take them from the budget)."""
        cache = self.lister.cache
        if self.fmt is ArchiveFormat.TAR or size > min(_MAX_INLINE_MEMBER, cache.left):
            return False
        if not self.lister.filter.is_read(clean, head):
            return False
        cache.left -= size
        return True

    def readable(self, info: tarfile.TarInfo, shown: str) -> bool:
        problem = _tar_member_problem(info)
        if problem is not None:
            message, fatal = problem
            self.lister.notice(shown, NoticeKind.UNSUPPORTED, message, fatal)
        return problem is None

    def read(self, offset: int, size: int) -> bytes:
        try:
            if self.stream.tell() != offset:
                self.stream.seek(offset)
            data = self.stream.read(size)
        except _DECODE_ERRORS as exc:
            raise _Damaged(str(exc) or type(exc).__name__) from exc
        if len(data) != size:
            raise _Damaged(f"the archive ends {size - len(data):,} bytes into it")
        return data

    def finish_pending(self) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            return
        if self.fmt is not ArchiveFormat.TAR:
            # The compressed bytes consumed while the stream crossed this member, plus the decompressor's
            # read-ahead (it reads in chunks), so a small member is never mistaken for a bomb.
            consumed = self.raw.tell() - pending.raw_start + _READ_AHEAD
            if self.lister.is_bomb(pending.shown, pending.step.size, consumed, "at most "):
                if pending.inline is not None:
                    self.lister.cache.left += len(pending.inline)
                return
        self.lister.member(pending, self.steps, self.depth)

    def finish_pending_if_complete(self) -> None:
        """After a read error: list the member being crossed only if the stream got past its data."""
        pending = self.pending
        if pending is None:
            return
        end = pending.step.locator + pending.step.size
        with suppress(*_DECODE_ERRORS):
            # A file seeks past its end without complaint, so a plain tar is measured; a decompressor
            # stops where its data did.
            reached = _stream_size(self.raw) if self.fmt is ArchiveFormat.TAR else self.stream.tell()
            if reached >= end:
                self.finish_pending()
                return
        self.pending = None
        self.lister.notice(pending.shown, NoticeKind.PARSE_ERROR, "the archive ends inside this member")


def _forget_headers(archive: tarfile.TarFile) -> None:
    """tarfile keeps every header it has read (its undocumented `members`); only the current one
    matters here, and 100,000 kept headers would cost tens of megabytes."""
    kept = getattr(archive, "members", None)
    if isinstance(kept, list):
        kept.clear()


# Members larger than this are read from the stream again rather than kept (the text analyzers' limit).
_MAX_INLINE_MEMBER = 8 * MiB
# How far ahead of the decompressed data a decompressor may have read its input (bz2 and lzma read 8 KiB
# chunks, gzip as much through its buffered reader); generous so that it never flags a real member.
_READ_AHEAD = 64 * 1024
_NO_LIMIT = 1 << 62
# tarfile reads headers (and pax or GNU long-name records) with single reads; a header claiming
# gigabytes would otherwise be read into memory whole.
_MAX_HEADER_READ = 8 * MiB


class _OverBound(Exception):
    pass


class _BoundedTarStream:
    """The uncompressed tar stream as tarfile sees it, with the bounds applied: it may not move past
    `limit` bytes (skipping a member decompresses it), and no single header read may be huge."""

    def __init__(self, stream: _Stream, limit: int) -> None:
        self._stream = stream
        self._limit = limit

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > _MAX_HEADER_READ:
            raise tarfile.ReadError(f"a header record of {size:,} bytes is over {_MAX_HEADER_READ:,}")
        self._check(self._stream.tell() + size)
        return self._stream.read(size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        target = offset if whence == io.SEEK_SET else self._stream.tell() + offset
        self._check(target)
        return self._stream.seek(target)

    def tell(self) -> int:
        return self._stream.tell()

    def write(self, data: bytes) -> int:
        raise OSError("read only")

    def close(self) -> None:
        pass  # the stream belongs to the walk

    def _check(self, position: int) -> None:
        if position > self._limit:
            raise _OverBound(
                f"uncompressed tar stream goes past {self._limit:,} bytes (bound: max_total_bytes)"
            )


def _decompressed(handle: BinaryIO, fmt: ArchiveFormat) -> _Stream:
    """The uncompressed tar stream over `handle` (which stays open and is the caller's to close)."""
    handle.seek(0)
    if fmt is ArchiveFormat.TAR_GZ:
        return gzip.GzipFile(fileobj=handle, mode="rb")
    if fmt is ArchiveFormat.TAR_BZ2:
        return bz2.BZ2File(handle, "rb")
    if fmt is ArchiveFormat.TAR_XZ:
        return lzma.LZMAFile(handle, "rb")
    return handle


def _expands_like_a_bomb(size: int, compressed: int, limits: ArchiveLimits) -> bool:
    return size > limits.ratio_min_bytes and size > limits.max_ratio * max(compressed, 1)


def _zip_member_problem(info: zipfile.ZipInfo) -> tuple[str, bool] | None:
    """Why a zip entry is not read (message, fatal), or None. Links and special files are not content,
    so skipping them loses nothing (not fatal); an encrypted or unreadable member is a gap in the scan."""
    mode = info.external_attr >> 16 if info.create_system == 3 else 0  # Unix modes only
    if stat.S_ISLNK(mode):
        return "symbolic link; not followed", False
    # Writers often store permission bits without a file type (zipfile.writestr does): regular.
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "special file (device, FIFO or socket); skipped", False
    if info.flag_bits & 0x1:
        return "encrypted member; skipped (no password is tried)", True
    if info.compress_type not in _ZIP_METHODS:
        method = _ZIP_METHOD_NAMES.get(info.compress_type, "unknown")
        return f"compression method {info.compress_type} ({method}) cannot be read; skipped", True
    return None


def _tar_member_problem(info: tarfile.TarInfo) -> tuple[str, bool] | None:
    """Why a tar entry is not read (message, fatal), or None."""
    if info.issym() or info.islnk():
        what = "symbolic" if info.issym() else "hard"
        return f"{what} link to {info.linkname!r}; not followed", False
    if not info.isreg():
        return "special file (device or FIFO); skipped", False
    if info.sparse is not None:
        return "sparse file; skipped", True
    return None


# --- zip internals ---------------------------------------------------------------------------------

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
# The smallest central directory record (no name, no extra field, no comment).
_MIN_CD_RECORD = 46
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")


def _zip_directory_problem(handle: BinaryIO, members_left: int, max_members: int) -> str | None:
    """Check the central directory's size before zipfile reads it, since it builds an object per entry:
    a directory with millions of entries would cost gigabytes before any bound could apply. Returns
    what is wrong, or None (also when there is no end record: zipfile will say so)."""
    size = _stream_size(handle)
    tail_size = min(size, 22 + 0xFFFF + 20)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return None
    count = int.from_bytes(tail[at + 10 : at + 12], "little")
    directory = int.from_bytes(tail[at + 12 : at + 16], "little")
    if (
        (count == 0xFFFF or directory == 0xFFFFFFFF)
        and at >= 20
        and tail[at - 20 : at - 16] == _EOCD64_LOCATOR
        and int.from_bytes(tail[at - 12 : at - 4], "little") < size  # a bogus offset cannot be seeked to
    ):
        handle.seek(int.from_bytes(tail[at - 12 : at - 4], "little"))
        record = handle.read(56)
        if record[:4] == _EOCD64 and len(record) == 56:
            count = int.from_bytes(record[32:40], "little")
            directory = int.from_bytes(record[40:48], "little")
    if count > members_left:
        left = "" if members_left == max_members else f" ({members_left:,} left)"
        return f"lists {count:,} entries, over the bound of {max_members:,} members{left} (max_members)"
    # zipfile makes an object per record whatever the count says. Real records carry names, so a
    # directory may hold as many bytes as four times the bound in minimal records (at most that many
    # objects), with a floor for small bounds.
    if directory > max(4 * _MIN_CD_RECORD * max_members, MiB):
        return f"central directory of {directory:,} bytes is too large for {max_members:,} members"
    return None


def _local_members(handle: BinaryIO) -> Iterator[tuple[int, zipfile.ZipInfo, int]]:
    """(header offset, info, data offset) of each member of a zip without a usable central directory,
    from the local headers in file order. Raises _Damaged where they cannot be followed further."""
    size = _stream_size(handle)
    offset = 0
    while True:
        header = _read_local_header(handle, offset)
        if header is None:
            return
        info, data_offset = header
        if info.flag_bits & 0x8:
            raise _Damaged(
                f"recovery stopped at {info.filename!r}: its sizes follow its data (data descriptor)"
            )
        end = data_offset + info.compress_size
        if end > size:
            message = f"truncated: its data ends at byte {end:,} but the archive has {size:,} bytes"
            raise _Damaged(message, info.filename)
        yield offset, info, data_offset
        offset = end


def _read_local_header(handle: BinaryIO, offset: int) -> tuple[zipfile.ZipInfo, int] | None:
    """The member whose local header starts at `offset`, as a ZipInfo and its data offset; None at the
    end of the members (the central directory, or nothing)."""
    handle.seek(offset)
    raw = handle.read(_LOCAL_HEADER.size)
    if len(raw) < _LOCAL_HEADER.size or not raw.startswith(b"PK\x03\x04"):
        return None
    _, _, flags, method, _, _, crc, compressed, size, name_len, extra_len = _LOCAL_HEADER.unpack(raw)
    name_raw = handle.read(name_len)
    if len(name_raw) < name_len:
        raise _Damaged(f"recovery stopped at byte {offset:,}: the archive ends inside a member's name")
    if compressed == 0xFFFFFFFF or size == 0xFFFFFFFF:
        raise _Damaged(f"recovery stopped at byte {offset:,}: a zip64 member needs its central directory")
    name = name_raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
    info = zipfile.ZipInfo(name)
    info.flag_bits = flags
    info.compress_type = method
    info.CRC = crc
    info.compress_size = compressed
    info.file_size = size
    return info, offset + _LOCAL_HEADER.size + name_len + extra_len


def _local_opener(handle: BinaryIO, info: zipfile.ZipInfo, data_offset: int) -> _Opener:
    def opener() -> _Stream:
        handle.seek(data_offset)
        return zipfile.ZipExtFile(handle, "r", info, None, False)

    return opener


def _read_head(opener: _Opener) -> bytes:
    try:
        with closing(opener()) as stream:
            return stream.read(HEAD_BYTES)
    except _DECODE_ERRORS as exc:
        raise _Damaged(str(exc) or type(exc).__name__) from exc


def _read_all(opener: _Opener, size: int) -> bytes:
    try:
        with closing(opener()) as stream:
            data = stream.read(size)
    except _DECODE_ERRORS as exc:
        raise _Damaged(str(exc) or type(exc).__name__) from exc
    if len(data) != size:
        raise _Damaged(f"{size - len(data):,} of its {size:,} bytes are missing")
    return data


def _stream_size(handle: IO[bytes]) -> int:
    handle.seek(0, io.SEEK_END)
    return handle.tell()


def _stamp_of(info: os.stat_result) -> tuple[int, int, int]:
    return (info.st_ino, info.st_size, info.st_mtime_ns)


# --- reading members -------------------------------------------------------------------------------


def open_member(member: ArchiveMember) -> BinaryIO:
    """A seekable binary stream over one member's bytes. Damaged data raises OSError (on open or on
    read), like an unreadable file."""
    if not member.steps:
        raise OSError(f"{member.archive_path}: no member named")
    if member.inline is not None:
        return io.BytesIO(member.inline)
    try:
        container = _cache().container(member, len(member.steps) - 1)
        return container.open(member.steps[-1])
    except OSError:
        raise
    except _DECODE_ERRORS as exc:
        raise OSError(f"cannot read {'!/'.join(member.member_chain)}: {exc}") from exc


def find_sibling(member: ArchiveMember, name: str) -> ArchiveMember | None:
    """The member called `name` in the same folder of the same archive as `member`, or None (also when
    it is a link, encrypted, or expands like a bomb). OSError when the archive cannot be read."""
    if not member.steps or not name or "/" in name or name in (".", ".."):
        return None
    last = member.steps[-1]
    folder = last.name.rsplit("/", 1)[0] if "/" in last.name else ""
    try:
        container = _cache().container(member, len(member.steps) - 1)
        step = container.find(f"{folder}/{name}" if folder else name)
    except OSError:
        raise
    except _DECODE_ERRORS as exc:
        raise OSError(f"cannot read {'!/'.join(member.member_chain)}: {exc}") from exc
    if step is None:
        return None
    return ArchiveMember(member.archive_path, (*member.steps[:-1], step), member.stamp)


def close_archives() -> None:
    """Close the archives this thread keeps open (they are closed at exit anyway)."""
    cache = getattr(_LOCAL, "cache", None)
    if cache is not None:
        cache.close()


class _MemberReader(io.RawIOBase):
    """One member's bytes, `size` of them from `start` in `inner`. Several readers may share `inner`
    (the members of one tar stream), so each read seeks to its own place first. Decoding errors become
    OSError, which every analyzer already reports as an unreadable file."""

    def __init__(self, inner: _Stream, start: int, size: int, on_close: Callable[[], None]) -> None:
        super().__init__()
        self._inner = inner
        self._start = start
        self._size = size
        self._pos = 0
        self._on_close = on_close

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise OSError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), self._size - self._pos)
        if wanted <= 0:
            return 0
        try:
            if self._inner.tell() != self._start + self._pos:
                self._inner.seek(self._start + self._pos)
            data = self._inner.read(wanted)
        except OSError:
            raise
        except _DECODE_ERRORS as exc:
            raise OSError(f"archive member is damaged: {exc or type(exc).__name__}") from exc
        view[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self._on_close()
            finally:
                super().close()


def _buffered(reader: _MemberReader) -> BinaryIO:
    return io.BufferedReader(reader, buffer_size=64 * 1024)


@dataclass(frozen=True)
class _Source:
    """Where an archive's bytes are: a file on disk, or memory for a nested archive."""

    path: Path | None = None
    data: bytes = b""

    def open(self) -> BinaryIO:
        return self.path.open("rb") if self.path is not None else io.BytesIO(self.data)


class _Container:
    def open(self, step: MemberStep) -> BinaryIO:
        raise NotImplementedError

    def find(self, name: str) -> MemberStep | None:
        """The readable member stored under `name` (the last one, if repeated), or None."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


# Sibling lookups happen while analysing, where the caller's limits are not known: the defaults apply.
_DEFAULT_LIMITS = ArchiveLimits()


class _ZipContainer(_Container):
    def __init__(self, source: _Source) -> None:
        # Given a path, zipfile owns the file and keeps it open until its last member stream is closed,
        # so evicting the container never breaks a stream in use.
        target: str | BinaryIO = str(source.path) if source.path is not None else source.open()
        self._zip = zipfile.ZipFile(target)
        self._infos = self._zip.infolist()
        self._by_name: dict[str, int] | None = None

    def open(self, step: MemberStep) -> BinaryIO:
        if not 0 <= step.locator < len(self._infos) or self._infos[step.locator].filename != step.name:
            raise OSError(f"member {step.name!r} is no longer in the archive")
        stream = self._zip.open(self._infos[step.locator])
        return _buffered(_MemberReader(stream, 0, step.size, stream.close))

    def find(self, name: str) -> MemberStep | None:
        if self._by_name is None:
            self._by_name = {info.filename: index for index, info in enumerate(self._infos)}
        index = self._by_name.get(name)
        if index is None:
            return None
        info = self._infos[index]
        if (
            info.filename.endswith("/")  # as is_dir(), which raises on an empty name
            or _zip_member_problem(info) is not None
            or _expands_like_a_bomb(info.file_size, info.compress_size, _DEFAULT_LIMITS)
        ):
            return None
        return MemberStep(ArchiveFormat.ZIP, info.filename, index, info.file_size)

    def close(self) -> None:
        self._zip.close()


class _ZipLocalContainer(_Container):
    def __init__(self, source: _Source) -> None:
        self._source = source
        self._by_name: dict[str, MemberStep] | None = None

    def open(self, step: MemberStep) -> BinaryIO:
        handle = self._source.open()
        try:
            header = _read_local_header(handle, step.locator)
            if header is None or header[0].filename != step.name:
                raise OSError(f"member {step.name!r} is no longer in the archive")
            info, data_offset = header
            handle.seek(data_offset)
            stream = zipfile.ZipExtFile(handle, "r", info, None, True)
        except _Damaged as exc:
            handle.close()
            raise OSError(str(exc)) from exc
        except BaseException:
            handle.close()
            raise
        return _buffered(_MemberReader(stream, 0, step.size, stream.close))

    def find(self, name: str) -> MemberStep | None:
        if self._by_name is None:
            self._by_name = self._index()
        return self._by_name.get(name)

    def _index(self) -> dict[str, MemberStep]:
        found: dict[str, MemberStep] = {}
        with self._source.open() as handle, suppress(_Damaged):
            for count, (offset, info, _) in enumerate(_local_members(handle)):
                if count >= _DEFAULT_LIMITS.max_members:
                    break
                if not (
                    info.filename.endswith("/")  # as is_dir(), which raises on an empty name
                    or _zip_member_problem(info) is not None
                    or _expands_like_a_bomb(info.file_size, info.compress_size, _DEFAULT_LIMITS)
                ):
                    step = MemberStep(ArchiveFormat.ZIP_LOCAL, info.filename, offset, info.file_size)
                    found[info.filename] = step
        return found

    def close(self) -> None:
        pass


class _TarContainer(_Container):
    """A tar stream shared by its member readers; closed once evicted and no reader is left."""

    def __init__(self, source: _Source, fmt: ArchiveFormat) -> None:
        self._fmt = fmt
        self._by_name: dict[str, MemberStep] | None = None
        self._raw = source.open()
        try:
            self._stream = _decompressed(self._raw, fmt)
        except BaseException:
            self._raw.close()
            raise
        self._readers = 0
        self._evicted = False

    def open(self, step: MemberStep) -> BinaryIO:
        self._readers += 1
        return _buffered(_MemberReader(self._stream, step.locator, step.size, self._release))

    def find(self, name: str) -> MemberStep | None:
        if self._by_name is None:
            self._by_name = self._index()
        return self._by_name.get(name)

    def _index(self) -> dict[str, MemberStep]:
        """Every readable member by name: one pass through the stream, which readers share (they seek
        before each read), stopped by the default bounds like a listing."""
        found: dict[str, MemberStep] = {}
        with suppress(_OverBound, *_DECODE_ERRORS):
            self._stream.seek(0)
            bounded = _BoundedTarStream(self._stream, _DEFAULT_LIMITS.max_total_bytes)
            archive = tarfile.TarFile(fileobj=bounded, mode="r")
            while len(found) < _DEFAULT_LIMITS.max_members:
                info = archive.next()
                if info is None:
                    break
                _forget_headers(archive)
                if info.isreg() and _tar_member_problem(info) is None:
                    found[info.name] = MemberStep(self._fmt, info.name, info.offset_data, info.size)
        return found

    def _release(self) -> None:
        self._readers -= 1
        if self._evicted and self._readers == 0:
            self._close_now()

    def close(self) -> None:
        self._evicted = True
        if self._readers == 0:
            self._close_now()

    def _close_now(self) -> None:
        try:
            if self._stream is not self._raw:
                self._stream.close()
        finally:
            self._raw.close()


def _make_container(fmt: ArchiveFormat, source: _Source) -> _Container:
    if fmt is ArchiveFormat.ZIP:
        return _ZipContainer(source)
    if fmt is ArchiveFormat.ZIP_LOCAL:
        return _ZipLocalContainer(source)
    return _TarContainer(source, fmt)


_CacheKey = tuple[Path, tuple[int, int, int], tuple[MemberStep, ...], ArchiveFormat]


class _ContainerCache:
    """The most recently used open archives of this thread. Small on purpose: artifacts are analysed in
    path order, so the members of one archive come together and one or two open archives suffice."""

    MAX_OPEN = 4
    # Nested archives are held in memory; together they stay under this.
    MAX_MEMORY = 512 * MiB

    def __init__(self) -> None:
        self._open: OrderedDict[_CacheKey, tuple[_Container, int]] = OrderedDict()

    def container(self, member: ArchiveMember, depth: int) -> _Container:
        """The open archive that holds `member.steps[depth]`."""
        key = (member.archive_path, member.stamp, member.steps[:depth], member.steps[depth].archive_format)
        if key in self._open:
            self._open.move_to_end(key)
            return self._open[key][0]
        source = self._source(member, depth)
        made = _make_container(member.steps[depth].archive_format, source)
        self._open[key] = (made, len(source.data))
        self._evict()
        return made

    def _source(self, member: ArchiveMember, depth: int) -> _Source:
        if depth == 0:
            try:
                stamp = _stamp_of(member.archive_path.stat())
            except OSError:
                raise
            if stamp != member.stamp:
                raise OSError(f"{member.archive_path} changed since it was listed")
            return _Source(path=member.archive_path)
        step = member.steps[depth - 1]
        with self.container(member, depth - 1).open(step) as stream:
            data = stream.read(step.size)
        if len(data) != step.size:
            raise OSError(f"nested archive {step.name!r} is shorter than listed")
        return _Source(data=data)

    def _evict(self) -> None:
        while len(self._open) > self.MAX_OPEN or (
            len(self._open) > 1 and sum(size for _, size in self._open.values()) > self.MAX_MEMORY
        ):
            _, (oldest, _) = self._open.popitem(last=False)
            oldest.close()

    def close(self) -> None:
        while self._open:
            _, (oldest, _) = self._open.popitem(last=False)
            oldest.close()


_LOCAL = threading.local()


def _cache() -> _ContainerCache:
    cache: _ContainerCache | None = getattr(_LOCAL, "cache", None)
    if cache is None:
        cache = _ContainerCache()
        _LOCAL.cache = cache
    return cache
