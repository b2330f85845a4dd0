"""The hostile corpus: every bad input of issue #7, generated into a folder at test time.

`build(root, scale)` writes each case and returns what the scan must say about it: a notice naming the
file and the specific problem, evidence found in it, or both. Nothing large is committed: bombs, the
50 MB source, the 100 MB notebook and the million-member archives are generated here, at `UNIT` sizes
for the test suite (just past each bound, so the same code paths run) and at `FULL` sizes for the
benchmark (`benchmarks/fuzz.py hostile`).

Used by tests/hostile/ (imported by file location; this folder has no __init__.py) and by the benchmark.
Nothing here imports the scanner except for NoticeKind, so the corpus can be built by any Python.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import socket
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scanner.findings import NoticeKind

MiB = 1024 * 1024

# Emotion recognition as a vendor would ship it: a result (EMO004) wherever it can be parsed or scanned.
ER_CODE = (
    "from deepface import DeepFace\n\nresult = DeepFace.analyze(img_path='face.jpg', actions=['emotion'])\n"
)
FER_LABELS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
# A 6 KB HDF5 file the fuzzer found, on which libhdf5 spins for ever (committed as a fuzzing regression).
LOOPING_HDF5 = Path(__file__).resolve().parents[2] / "benchmarks/fuzz-seeds/hdf5/crash-21066cb7bea245ec"


@dataclass(frozen=True)
class Scale:
    name: str
    bomb_bytes: int  # uncompressed size of the zip bomb member
    many_members: int  # members of the "million tiny members" archives
    big_source: int  # the generated Python source (50 MB in the issue)
    long_line: int  # the single-line Python source (10 MB in the issue)
    big_notebook: int  # the notebook with huge outputs (100 MB in the issue)
    huge_attribute: int  # the HDF5 model_config attribute
    blank_lines: int  # blank lines in a pyproject.toml (parsed line by line by tomllib)
    nesting: int  # depth of the nested brackets and expressions (10,000 in the issue)
    tar_members: bool  # also the million-member tar.gz (slow to list: 100,000 headers)


# Just past each bound of the scanner, so every bound is crossed at test time in seconds.
UNIT = Scale(
    name="unit",
    bomb_bytes=32 * MiB,
    many_members=100_001,
    big_source=9 * MiB,
    long_line=9 * MiB,
    big_notebook=65 * MiB,
    huge_attribute=17 * MiB,
    blank_lines=400_000,
    nesting=10_000,
    tar_members=False,
)
# The sizes the issue names.
FULL = Scale(
    name="full",
    bomb_bytes=4 * 1024 * MiB,
    many_members=1_000_000,
    big_source=50 * MiB,
    long_line=10 * MiB,
    big_notebook=100 * MiB,
    huge_attribute=64 * MiB,
    blank_lines=4_000_000,
    nesting=10_000,
    tar_members=True,
)


@dataclass(frozen=True)
class Expect:
    """A notice the scan must give: its kind, a phrase of its message naming the specific problem, and
    whether it means the file could not be analysed (None: either)."""

    kind: NoticeKind
    text: str
    fatal: bool | None = None


@dataclass(frozen=True)
class Case:
    group: str  # archives, filesystem, python, notebooks, models, configs
    name: str
    path: str  # the path reports show for it (archive members as `a.zip!/member`)
    description: str
    notice: Expect | None = None
    findings: bool = False  # evidence must be found in the file itself
    # The notice's path starts with `path` (a folder too long to name exactly).
    prefix: bool = False
    # Files that must never be created, opened or followed; checked by the tests.
    never_touched: tuple[str, ...] = ()


@dataclass
class Corpus:
    root: Path
    scale: Scale
    cases: list[Case] = field(default_factory=list)
    # Files outside `root` that the scan must never create or open (canaries, link targets).
    outside: Path | None = None
    canaries: list[Path] = field(default_factory=list)

    def add(self, case: Case) -> None:
        self.cases.append(case)

    def write(self, relative: str, content: bytes | str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path


def unmet(case: Case, notices: Iterable[tuple[str, str, str, bool]], evidence_paths: set[str]) -> str | None:
    """What a scan failed to say about `case`, or None. `notices` are (path, kind, message, fatal);
    `evidence_paths` the files evidence was found in."""
    found = [n for n in notices if (n[0].startswith(case.path) if case.prefix else n[0] == case.path)]
    problems = []
    expect = case.notice
    if expect is not None and not any(
        kind == expect.kind.value
        and expect.text in message
        and (expect.fatal is None or fatal is expect.fatal)
        for _, kind, message, fatal in found
    ):
        got = [(kind, fatal, message) for _, kind, message, fatal in found] or "no notice"
        problems.append(f"expected {expect}, got {got}")
    if case.findings and case.path not in evidence_paths:
        problems.append("expected evidence in the file, found none")
    return f"{case.name} ({case.path}): " + "; ".join(problems) if problems else None


Builder = Callable[[Corpus], None]
BUILDERS: list[Builder] = []


def builder(function: Builder) -> Builder:
    BUILDERS.append(function)
    return function


def build(root: Path, scale: Scale = UNIT, only: Iterable[str] = ()) -> Corpus:
    """Write the corpus under `root` (created; it must be empty). Files that must stay untouched go
    to `root.parent / (root.name + "-outside")`. `only` limits it to some groups."""
    root.mkdir(parents=True, exist_ok=True)
    outside = root.parent / f"{root.name}-outside"
    outside.mkdir(exist_ok=True)
    corpus = Corpus(root, scale, outside=outside)
    wanted = set(only)
    for function in BUILDERS:
        group = function.__name__.split("_", 1)[0]
        if not wanted or group in wanted:
            function(corpus)
    return corpus


# --- raw zip writing: what zipfile will not write (lying headers, flags, a million members) -----------


@dataclass
class RawEntry:
    name: bytes
    data: bytes  # as stored (compressed when method is 8)
    size: int  # uncompressed
    crc: int
    method: int = 0
    flags: int = 0
    local_name: bytes | None = None  # a different name in the local header
    external_attr: int = 0o100644 << 16


def raw_entry(name: str, content: bytes, deflate: bool = False) -> RawEntry:
    data = content
    if deflate:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        data = packer.compress(content) + packer.flush()
    return RawEntry(name.encode(), data, len(content), zlib.crc32(content), 8 if deflate else 0)


_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")


def zip_bytes(entries: Iterable[RawEntry], prefix: bytes = b"", count: int | None = None) -> bytes:
    """A zip of `entries` as given (no checks), after `prefix` (a self-extractor's stub). `count`
    overrides the entry count of the end record."""
    out = io.BytesIO()
    out.write(prefix)
    central: list[bytes] = []
    written = 0
    for entry in entries:
        offset = out.tell()
        local_name = entry.local_name if entry.local_name is not None else entry.name
        out.write(
            _LOCAL.pack(
                b"PK\x03\x04",
                20,
                entry.flags,
                entry.method,
                0,
                0x21,
                entry.crc,
                len(entry.data),
                entry.size,
                len(local_name),
                0,
            )
        )
        out.write(local_name)
        out.write(entry.data)
        central.append(
            _CENTRAL.pack(
                b"PK\x01\x02",
                (3 << 8) | 20,
                20,
                entry.flags,
                entry.method,
                0,
                0x21,
                entry.crc,
                len(entry.data),
                entry.size,
                len(entry.name),
                0,
                0,
                0,
                0,
                entry.external_attr,
                offset,
            )
            + entry.name
        )
        written += 1
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    total = written if count is None else count
    out.write(
        _END.pack(b"PK\x05\x06", 0, 0, min(total, 0xFFFF), min(total, 0xFFFF), len(directory), start, 0)
    )
    return out.getvalue()


def write_many_member_zip(path: Path, members: int) -> None:
    """`members` empty stored members, written in one pass (zipfile takes minutes for a million)."""
    with path.open("wb") as out:
        central = bytearray()
        offset = 0
        for index in range(members):
            name = b"m/%07d" % index
            local = _LOCAL.pack(b"PK\x03\x04", 20, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0) + name
            out.write(local)
            central += _CENTRAL.pack(
                b"PK\x01\x02",
                (3 << 8) | 20,
                20,
                0,
                0,
                0,
                0x21,
                0,
                0,
                0,
                len(name),
                0,
                0,
                0,
                0,
                0o100644 << 16,
                offset,
            )
            central += name
            offset += len(local)
        out.write(central)
        if members >= 0xFFFF or offset >= 0xFFFFFFFF:
            # zip64 end record and locator: the real count lives there.
            end64 = offset + len(central)
            out.write(
                struct.pack(
                    "<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, members, members, len(central), offset
                )
            )
            out.write(struct.pack("<4sIQI", b"PK\x06\x07", 0, end64, 1))
            out.write(_END.pack(b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
        else:
            out.write(_END.pack(b"PK\x05\x06", 0, 0, members, members, len(central), offset, 0))


def write_bomb_zip(path: Path, member: str, size: int) -> None:
    """One deflated member of `size` zero bytes, made by repeating a flushed deflate block of 1 MiB
    of zeros: building a 4 GiB bomb takes a second, not a minute of compression."""
    chunk_size = MiB
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(chunk_size)) + packer.flush(zlib.Z_FULL_FLUSH)
    chunks, rest = divmod(size, chunk_size)
    crc = 0
    zeros = bytes(chunk_size)
    for _ in range(chunks):
        crc = zlib.crc32(zeros, crc)
    tail_packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = tail_packer.compress(bytes(rest)) + tail_packer.flush()
    crc = zlib.crc32(bytes(rest), crc)
    name = member.encode()
    compressed = len(block) * chunks + len(tail)
    zip64 = size >= 0xFFFFFFFF
    extra = struct.pack("<HHQQ", 1, 16, size, compressed) if zip64 else b""
    with path.open("wb") as out:
        out.write(
            _LOCAL.pack(
                b"PK\x03\x04",
                45 if zip64 else 20,
                0,
                8,
                0,
                0x21,
                crc,
                0xFFFFFFFF if zip64 else compressed,
                0xFFFFFFFF if zip64 else size,
                len(name),
                len(extra),
            )
            + name
            + extra
        )
        for _ in range(chunks):
            out.write(block)
        out.write(tail)
        start = out.tell()
        central_extra = struct.pack("<HHQQ", 1, 16, size, compressed) if zip64 else b""
        central = (
            _CENTRAL.pack(
                b"PK\x01\x02",
                (3 << 8) | 45,
                45 if zip64 else 20,
                0,
                8,
                0,
                0x21,
                crc,
                0xFFFFFFFF if zip64 else compressed,
                0xFFFFFFFF if zip64 else size,
                len(name),
                len(central_extra),
                0,
                0,
                0,
                0o100644 << 16,
                0,
            )
            + name
            + central_extra
        )
        out.write(central)
        out.write(_END.pack(b"PK\x05\x06", 0, 0, 1, 1, len(central), start, 0))


def zip_of(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def tar_of(members: list[tuple[tarfile.TarInfo, bytes | None]], mode: str = "w") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for info, content in members:
            if content is not None:
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
            else:
                archive.addfile(info)
    return buffer.getvalue()


def write_many_member_tar_gz(path: Path, members: int) -> None:
    """`members` empty regular files in a gzip-compressed tar, headers written by hand."""
    import gzip

    template = tarfile.TarInfo("m/0000000")
    template.mtime = 0
    header = bytearray(template.tobuf(format=tarfile.USTAR_FORMAT))
    with gzip.open(path, "wb", compresslevel=1) as out:
        batch = bytearray()
        for index in range(members):
            name = b"m/%07d" % index
            header[0 : len(name)] = name
            header[148:156] = b"        "
            checksum = sum(header)
            header[148:156] = b"%06o\x00 " % checksum
            batch += header
            if len(batch) >= 4 * MiB:
                out.write(batch)
                batch.clear()
        out.write(batch)
        out.write(bytes(1024))


# --- archives ------------------------------------------------------------------------------------------


@builder
def archives_bombs(corpus: Corpus) -> None:
    size = corpus.scale.bomb_bytes
    (corpus.root / "archives").mkdir(parents=True, exist_ok=True)
    write_bomb_zip(corpus.root / "archives/bomb.zip", "payload.py", size)
    corpus.add(
        Case(
            "archives",
            "zip bomb (high ratio)",
            "archives/bomb.zip!/payload.py",
            f"one deflated member of {size:,} zero bytes",
            Expect(NoticeKind.TOO_LARGE, "a decompression bomb; skipped", True),
        )
    )
    # 42.zip's shape: archives of archives whose leaves are bombs (within the depth bound, so the
    # bombs are reached; deep.zip crosses the bound).
    leaf = corpus.root / "archives/leaf.tmp"
    write_bomb_zip(leaf, "payload.py", 8 * MiB)
    bombs = {f"bomb-{i}.zip": leaf.read_bytes() for i in range(4)}
    leaf.unlink()
    corpus.write("archives/nested-bomb.zip", zip_of({f"layer-{i}.zip": zip_of(bombs) for i in range(4)}))
    corpus.add(
        Case(
            "archives",
            "nested zip bomb",
            "archives/nested-bomb.zip!/layer-3.zip!/bomb-3.zip!/payload.py",
            "4 zips of 4 zip bombs of 8 MiB each (42.zip's shape)",
            Expect(NoticeKind.TOO_LARGE, "a decompression bomb; skipped", True),
        )
    )
    # Overlap: a second directory record pointing at the first member's local header.
    entry = raw_entry("a.py", ER_CODE.encode(), deflate=True)
    overlap = zip_bytes([entry, RawEntry(b"b.py", entry.data, entry.size, entry.crc, 8)])
    second = overlap.rfind(b"PK\x01\x02")
    overlap = overlap[: second + 42] + struct.pack("<I", 0) + overlap[second + 46 :]
    corpus.write("archives/overlap.zip", overlap)
    corpus.add(
        Case(
            "archives",
            "zip directory records sharing a member",
            "archives/overlap.zip!/b.py",
            "two directory records pointing at one local header (the overlap trick of zip bombs)",
            Expect(NoticeKind.READ_ERROR, "differ", True),
        )
    )


@builder
def archives_names_and_links(corpus: Corpus) -> None:
    climbing = tarfile.TarInfo("../../escape.py")
    absolute = tarfile.TarInfo("/etc/cron.d/evil.py")
    corpus.write(
        "archives/traversal.tar", tar_of([(climbing, ER_CODE.encode()), (absolute, ER_CODE.encode())])
    )
    corpus.add(
        Case(
            "archives",
            "tar member climbing out with ../",
            "archives/traversal.tar!/__/__/escape.py",
            "member named ../../escape.py, scanned in place",
            Expect(NoticeKind.PARTIAL, "climbs out of the archive with '..'", False),
            findings=True,
            never_touched=("escape.py",),
        )
    )
    corpus.add(
        Case(
            "archives",
            "tar member with an absolute name",
            "archives/traversal.tar!/etc/cron.d/evil.py",
            "member named /etc/cron.d/evil.py, scanned in place",
            Expect(NoticeKind.PARTIAL, "is an absolute path", False),
            findings=True,
        )
    )
    symlink = tarfile.TarInfo("passwd.py")
    symlink.type = tarfile.SYMTYPE
    symlink.linkname = "/etc/passwd"
    hardlink = tarfile.TarInfo("hard.py")
    hardlink.type = tarfile.LNKTYPE
    hardlink.linkname = "../../outside.py"
    fifo = tarfile.TarInfo("fifo.py")
    fifo.type = tarfile.FIFOTYPE
    corpus.write("archives/links.tar", tar_of([(symlink, None), (hardlink, None), (fifo, None)]))
    corpus.add(
        Case(
            "archives",
            "tar symlink member",
            "archives/links.tar!/passwd.py",
            "a symbolic link to /etc/passwd",
            Expect(NoticeKind.UNSUPPORTED, "symbolic link to '/etc/passwd'; not followed", False),
        )
    )
    corpus.add(
        Case(
            "archives",
            "tar hardlink member",
            "archives/links.tar!/hard.py",
            "a hard link to ../../outside.py",
            Expect(NoticeKind.UNSUPPORTED, "hard link to '../../outside.py'; not followed", False),
        )
    )
    corpus.add(
        Case(
            "archives",
            "tar FIFO member",
            "archives/links.tar!/fifo.py",
            "a FIFO inside a tar",
            Expect(NoticeKind.UNSUPPORTED, "special file", False),
        )
    )
    duplicates = zip_bytes([raw_entry("app.py", b"x = 1\n"), raw_entry("app.py", ER_CODE.encode())])
    corpus.write("archives/duplicates.zip", duplicates)
    corpus.add(
        Case(
            "archives",
            "zip with duplicate names",
            "archives/duplicates.zip!/app.py (2)",
            "two members named app.py, the second with emotion recognition",
            Expect(NoticeKind.PARTIAL, "the archive holds 2 entries named 'app.py'", False),
            findings=True,
        )
    )
    link_entry = raw_entry("link.py", b"/etc/passwd")
    link_entry.external_attr = (stat.S_IFLNK | 0o777) << 16
    corpus.write("archives/zip-symlink.zip", zip_bytes([link_entry]))
    corpus.add(
        Case(
            "archives",
            "zip symlink member",
            "archives/zip-symlink.zip!/link.py",
            "a zip entry whose mode is a symbolic link to /etc/passwd",
            Expect(NoticeKind.UNSUPPORTED, "symbolic link; not followed", False),
        )
    )


@builder
def archives_damaged(corpus: Corpus) -> None:
    secret = raw_entry("secret.py", ER_CODE.encode())
    secret.flags |= 0x1  # "encrypted": the data is not, but no reader may try a password
    corpus.write("archives/encrypted.zip", zip_bytes([secret]))
    corpus.add(
        Case(
            "archives",
            "encrypted zip member",
            "archives/encrypted.zip!/secret.py",
            "general-purpose flag bit 0 (encryption) set",
            Expect(NoticeKind.UNSUPPORTED, "encrypted member; skipped (no password is tried)", True),
        )
    )
    whole = zip_of({f"pkg/mod{i}.py": ER_CODE.encode() * 20 for i in range(4)})
    corpus.write("archives/truncated.zip", whole[: len(whole) * 2 // 3])
    corpus.add(
        Case(
            "archives",
            "truncated zip",
            "archives/truncated.zip",
            "the last third (and the central directory) cut off",
            Expect(NoticeKind.PARSE_ERROR, "damaged zip archive", True),
        )
    )
    info = tarfile.TarInfo("pkg/app.py")
    tar_gz = tar_of(
        [(info, ER_CODE.encode() * 200), (tarfile.TarInfo("pkg/b.py"), b"y = 2\n" * 5000)], "w:gz"
    )
    corpus.write("archives/truncated.tar.gz", tar_gz[: len(tar_gz) // 2])
    corpus.add(
        Case(
            "archives",
            "truncated tar.gz",
            "archives/truncated.tar.gz",
            "a gzip stream cut in half",
            Expect(NoticeKind.PARSE_ERROR, "damaged or truncated", True),
        )
    )
    # Flag and header tricks that broke other scanners.
    mismatch = raw_entry("good.py", ER_CODE.encode())
    mismatch.local_name = b"evil.py"
    corpus.write("archives/name-mismatch.zip", zip_bytes([mismatch]))
    corpus.add(
        Case(
            "archives",
            "zip local and central names differ",
            "archives/name-mismatch.zip!/good.py",
            "the central directory says good.py, the local header evil.py",
            Expect(NoticeKind.READ_ERROR, "differ", True),
        )
    )
    bad_name = raw_entry("x.py", ER_CODE.encode())
    bad_name.name = bad_name.local_name = b"caf\xe9\xff.py"
    bad_name.flags |= 0x800  # "the name is UTF-8": it is not
    corpus.write("archives/bad-utf8-flag.zip", zip_bytes([bad_name]))
    corpus.add(
        Case(
            "archives",
            "zip UTF-8 flag on a non-UTF-8 name",
            "archives/bad-utf8-flag.zip",
            "flag bit 11 set on a name that is not UTF-8",
            Expect(NoticeKind.PARSE_ERROR, "damaged zip archive", True),
        )
    )
    deflate64 = raw_entry("model.py", ER_CODE.encode())
    deflate64.method = 9
    corpus.write("archives/deflate64.zip", zip_bytes([deflate64]))
    corpus.add(
        Case(
            "archives",
            "zip compression method it cannot read",
            "archives/deflate64.zip!/model.py",
            "compression method 9 (deflate64)",
            Expect(NoticeKind.UNSUPPORTED, "compression method 9 (deflate64) cannot be read", True),
        )
    )
    bad_crc = raw_entry("crc.py", ER_CODE.encode(), deflate=True)
    bad_crc.crc ^= 0xFFFFFFFF
    corpus.write("archives/bad-crc.zip", zip_bytes([bad_crc]))
    corpus.add(
        Case(
            "archives",
            "zip member with a wrong CRC",
            "archives/bad-crc.zip!/crc.py",
            "the data does not match its CRC-32",
            Expect(NoticeKind.READ_ERROR, "Bad CRC-32", True),
        )
    )
    corpus.write(
        "archives/self-extracting.zip",
        zip_bytes(
            [raw_entry("sfx/app.py", ER_CODE.encode(), deflate=True)], prefix=b"#!/bin/sh\nexit 0\n" * 64
        ),
    )
    corpus.add(
        Case(
            "archives",
            "zip after a self-extractor stub",
            "archives/self-extracting.zip",
            "1 KB of shell script before the first local header: reported, not read",
            Expect(NoticeKind.PARSE_ERROR, "named like an archive, but its bytes are not one", True),
        )
    )
    lying = zip_bytes([raw_entry("app.py", ER_CODE.encode())])
    end = lying.rfind(b"PK\x05\x06")
    lying = lying[: end + 12] + struct.pack("<I", 0x7FFFFFFF) + lying[end + 16 :]  # directory size
    corpus.write("archives/lying-directory.zip", lying)
    corpus.add(
        Case(
            "archives",
            "zip end record with an absurd directory size",
            "archives/lying-directory.zip",
            "the end record claims a 2 GB central directory",
            Expect(NoticeKind.TOO_LARGE, "is too large for", True),
        )
    )


@builder
def archives_bounds(corpus: Corpus) -> None:
    inner = zip_of({"app.py": ER_CODE.encode()})
    for level in (3, 2, 1):
        inner = zip_of({f"l{level}.zip": inner})
    corpus.write("archives/deep.zip", inner)
    corpus.add(
        Case(
            "archives",
            "archive nested past the depth bound",
            "archives/deep.zip!/l1.zip!/l2.zip!/l3.zip",
            "zip in zip in zip in zip",
            Expect(NoticeKind.TOO_LARGE, "archive nested 4 deep (bound: max_depth 3); not opened", True),
        )
    )
    members = corpus.scale.many_members
    write_many_member_zip(corpus.root / "archives/many.zip", members)
    corpus.add(
        Case(
            "archives",
            "a million tiny members (zip)",
            "archives/many.zip",
            f"{members:,} empty members",
            Expect(
                NoticeKind.TOO_LARGE, f"lists {members:,} entries, over the bound of 100,000 members", True
            ),
        )
    )
    write_many_member_zip(corpus.root / "archives/many-members.pt", members)
    corpus.add(
        Case(
            "archives",
            "a million tiny members (zip named as a model)",
            "archives/many-members.pt",
            f"{members:,} empty members in a file named like a PyTorch checkpoint",
            Expect(NoticeKind.TOO_LARGE, "entries, over the", True),
        )
    )
    if corpus.scale.tar_members:
        write_many_member_tar_gz(corpus.root / "archives/many.tar.gz", members)
        corpus.add(
            Case(
                "archives",
                "a million tiny members (tar.gz)",
                "archives/many.tar.gz",
                f"{members:,} empty members",
                Expect(NoticeKind.TOO_LARGE, "more than 100,000 entries (bound: max_members)", True),
            )
        )


# --- the file system -----------------------------------------------------------------------------------


@builder
def filesystem_links(corpus: Corpus) -> None:
    folder = corpus.root / "fs"
    folder.mkdir(parents=True, exist_ok=True)
    os.symlink("loop-b.py", folder / "loop-a.py")
    os.symlink("loop-a.py", folder / "loop-b.py")
    corpus.add(
        Case(
            "filesystem",
            "symlink loop",
            "fs/loop-a.py",
            "loop-a.py -> loop-b.py -> loop-a.py",
            Expect(NoticeKind.UNSUPPORTED, "cannot be resolved (a loop", False),
        )
    )
    os.symlink("..", folder / "loop-dir")  # inside the root: walked once, under its real name
    os.symlink("../..", folder / "up")
    corpus.add(
        Case(
            "filesystem",
            "folder symlink out of the root",
            "fs/up",
            "fs/up -> ../.. (walking it would leave the root and loop)",
            Expect(NoticeKind.UNSUPPORTED, "outside the scanned folder; not followed", False),
        )
    )
    assert corpus.outside is not None
    secret = corpus.outside / "outside-secret.py"
    secret.write_text(ER_CODE, encoding="utf-8")
    os.symlink(secret, folder / "outside.py")
    corpus.add(
        Case(
            "filesystem",
            "symlink pointing outside the root",
            "fs/outside.py",
            "a link to a file beside the scanned folder",
            Expect(NoticeKind.UNSUPPORTED, "outside the scanned folder; not followed", False),
            never_touched=("outside-secret.py",),
        )
    )


@builder
def filesystem_special(corpus: Corpus) -> None:
    folder = corpus.root / "fs"
    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / "pipe.py")
    corpus.add(
        Case(
            "filesystem",
            "FIFO",
            "fs/pipe.py",
            "a named pipe called pipe.py (reading it would block)",
            Expect(NoticeKind.UNSUPPORTED, "not a regular file", False),
        )
    )
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(folder / "socket.py"))
    finally:
        server.close()
    corpus.add(
        Case(
            "filesystem",
            "socket",
            "fs/socket.py",
            "a Unix socket called socket.py",
            Expect(NoticeKind.UNSUPPORTED, "not a regular file", False),
        )
    )
    if os.geteuid() != 0:  # root reads anything: tests/hostile runs this case as another user instead
        locked = corpus.write("fs/locked.py", ER_CODE)
        locked.chmod(0)
        corpus.add(
            Case(
                "filesystem",
                "unreadable file",
                "fs/locked.py",
                "mode 000",
                Expect(NoticeKind.READ_ERROR, "Permission denied", True),
            )
        )


@builder
def filesystem_names(corpus: Corpus) -> None:
    folder = corpus.root / "fs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / os.fsdecode(b"caf\xe9-\xff.py")).write_text(ER_CODE, encoding="utf-8")
    corpus.add(
        Case(
            "filesystem",
            "non-UTF-8 file name",
            "fs/caf\\xe9-\\xff.py",
            "a Latin-1 name that is not UTF-8 (shown with \\x escapes)",
            findings=True,
        )
    )
    (folder / "forged\nline\x1b[31m.py").write_text(ER_CODE, encoding="utf-8")
    corpus.add(
        Case(
            "filesystem",
            "control characters in a file name",
            "fs/forged\\x0aline\\x1b[31m.py",
            "a newline and an ANSI escape in the name",
            findings=True,
        )
    )
    # Past PATH_MAX (4,096 bytes): folders of 255-byte names, made relative to open folders.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.mkdir("long", dir_fd=descriptor)
        current = os.open("long", os.O_RDONLY, dir_fd=descriptor)
        os.close(descriptor)
        descriptor = current
        for index in range(18):
            name = f"{index:02d}" + "d" * 253
            os.mkdir(name, dir_fd=descriptor)
            current = os.open(name, os.O_RDONLY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = current
        created = os.open("x" * 252 + ".py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=descriptor)
        os.write(created, ER_CODE.encode())
        os.close(created)
    finally:
        os.close(descriptor)
    corpus.add(
        Case(
            "filesystem",
            "path longer than PATH_MAX",
            "fs/long/",
            "18 folders of 255-byte names (4,600 bytes) and a 255-byte file name",
            Expect(NoticeKind.READ_ERROR, "File name too long", True),
            prefix=True,
        )
    )


# --- Python ---------------------------------------------------------------------------------------------


@builder
def python_sources(corpus: Corpus) -> None:
    scale = corpus.scale
    add = corpus.add
    corpus.write("py/syntax-error.py", ER_CODE + "def broken(:\n    pass\n")
    add(
        Case(
            "python",
            "syntax error",
            "py/syntax-error.py",
            "a def with a broken signature",
            Expect(NoticeKind.PARSE_ERROR, "syntax error at line 4", False),
            findings=True,
        )
    )
    corpus.write("py/invalid-utf8.py", ER_CODE.encode() + b"name = '\xff\xfe\xc3('\n")
    add(
        Case(
            "python",
            "invalid UTF-8",
            "py/invalid-utf8.py",
            "bytes 0xff 0xfe in a string literal",
            Expect(NoticeKind.DECODE_ERROR, "not valid UTF-8 at byte", True),
        )
    )
    corpus.write("py/bom.py", b"\xef\xbb\xbf" + ER_CODE.encode())
    add(Case("python", "UTF-8 byte-order mark", "py/bom.py", "a BOM before the import", findings=True))
    corpus.write("py/crlf.py", ER_CODE.replace("\n", "\r\n"))
    add(Case("python", "CRLF line endings", "py/crlf.py", "Windows line endings", findings=True))
    mixed = "from deepface import DeepFace\r\nimport os\rresult = DeepFace.analyze(img_path='f.jpg', actions=['emotion'])\n"
    corpus.write("py/mixed-endings.py", mixed)
    add(
        Case(
            "python",
            "mixed line endings",
            "py/mixed-endings.py",
            "CRLF, CR and LF in one file",
            findings=True,
        )
    )
    corpus.write("py/nul-bytes.py", ER_CODE.encode() + b"x = 1\x00\x00\n")
    add(
        Case(
            "python",
            "NUL bytes",
            "py/nul-bytes.py",
            "NUL bytes after the code",
            Expect(NoticeKind.UNSUPPORTED, "binary content (NUL bytes)", True),
        )
    )
    corpus.write("py/binary.py", b"\x7fELF\x02\x01\x01" + bytes(9) + os.urandom(4096) + b"deepface")
    add(
        Case(
            "python",
            "a binary named .py",
            "py/binary.py",
            "an ELF header and random bytes",
            Expect(NoticeKind.UNSUPPORTED, "binary content (NUL bytes)", True),
        )
    )
    line = "VALUES = [" + ", ".join(str(i) for i in range(16)) + "]\n"
    generated = ER_CODE + line * (scale.big_source // len(line) + 1)
    corpus.write("py/generated.py", generated)
    add(
        Case(
            "python",
            "a 50 MB generated file",
            "py/generated.py",
            f"{len(generated):,} bytes of generated code",
            Expect(NoticeKind.TOO_LARGE, "over the 8,388,608-byte limit for text files", True),
        )
    )
    corpus.write("py/long-line.py", "import deepface; x = '" + "a" * scale.long_line + "'\n")
    add(
        Case(
            "python",
            "a single 10 MB line",
            "py/long-line.py",
            f"one line of {scale.long_line:,} bytes",
            Expect(NoticeKind.TOO_LARGE, "over the 8,388,608-byte limit for text files", True),
        )
    )
    corpus.write("py/long-line-4mb.py", ER_CODE + "BLOB = '" + "ab" * (2 * MiB) + "'\n")
    add(
        Case(
            "python",
            "a 4 MB line under the limit",
            "py/long-line-4mb.py",
            "parsed, not skipped",
            findings=True,
        )
    )
    depth = scale.nesting
    deep = {
        "deep-brackets.py": ("x = " + "(" * depth + "1" + ")" * depth, f"brackets nested {depth} deep"),
        "deep-not.py": ("x = " + "not " * depth + "y", "nested too deeply"),
        "deep-ifelse.py": ("x = " + "a if b else " * depth + "c", "nested too deeply"),
        "deep-lambda.py": ("x = " + "lambda: " * depth + "1", "nested too deeply"),
        "deep-unary.py": ("x = " + "-" * depth + "y", "nested too deeply"),
        "deep-attribute.py": ("x = y" + ".a" * depth, "nested too deeply"),
        "deep-sum.py": ("x = " + "+".join(["1"] * depth), "nested too deeply"),
        "deep-power.py": ("x = " + "**".join(["2"] * depth), "nested too deeply"),
        "deep-subscript.py": ("x = y" + "[0]" * depth, "nested too deeply"),
        "deep-nested-300.py": ("x = " + "not " * 300 + "y", "expressions nested over 200 deep"),
        "deep-python2.py": (
            "print 'x'\nx = " + "not " * depth + "y",
            f"a statement of up to {depth:,} chained",
        ),
    }
    for name, (line_text, phrase) in deep.items():
        corpus.write(f"py/{name}", ER_CODE + line_text + "\n")
        add(
            Case(
                "python",
                f"{name[:-3]} ({depth:,} levels)",
                f"py/{name}",
                line_text[:40] + "...",
                Expect(NoticeKind.PARTIAL, phrase, False),
                findings=True,
            )
        )
    corpus.write("py/deep-comment.py", ER_CODE + "# x = f(" + "not " * depth + "y)\n")
    add(
        Case(
            "python",
            "deep expression in commented-out code",
            "py/deep-comment.py",
            "the commented-out code pass must not parse it",
            findings=True,
        )
    )
    python2 = "# -*- coding: utf-8 -*-\nfrom deepface import DeepFace\nprint 'analysing'\n" + (
        "result = DeepFace.analyze(img_path='f.jpg', actions=['emotion'])\nexec 'x = 1'\n"
    )
    corpus.write("py/python2.py", python2)
    add(
        Case(
            "python",
            "Python 2 code",
            "py/python2.py",
            "print and exec statements",
            Expect(NoticeKind.PARSE_ERROR, "Missing parentheses in call to 'print'", False),
            findings=True,
        )
    )
    new_syntax = ER_CODE + (
        "match result:\n"
        "    case {'dominant_emotion': str(mood)}:\n"
        '        print(f"{\'mood: \' + f"{mood!r:>{10}}"}")\n'
        "    case _:\n"
        "        pass\n"
        "type Pair[T] = tuple[T, T]\n"
        "def first[T: (int, str)](pair: Pair[T]) -> T:\n"
        "    return pair[0]\n"
        "class Box[T]:\n"
        "    item: T\n"
    )
    corpus.write("py/new-syntax.py", new_syntax)
    add(
        Case(
            "python",
            "very new syntax",
            "py/new-syntax.py",
            "match, PEP 695 type parameters, PEP 701 nested f-strings",
            findings=True,
        )
    )


# --- notebooks -----------------------------------------------------------------------------------------


def notebook(cells: list[dict[str, object]], nbformat: int = 4) -> dict[str, object]:
    return {"cells": cells, "metadata": {}, "nbformat": nbformat, "nbformat_minor": 5}


def code_cell(source: object, outputs: list[object] | None = None) -> dict[str, object]:
    return {
        "cell_type": "code",
        "metadata": {},
        "execution_count": 1,
        "outputs": outputs or [],
        "source": source,
    }


@builder
def notebooks(corpus: Corpus) -> None:
    add = corpus.add
    corpus.write(
        "nb/invalid-json.ipynb", '{"cells": [{"cell_type": "code", "source": ["from fer import FER\\n"]}\n'
    )
    add(
        Case(
            "notebooks",
            "invalid JSON",
            "nb/invalid-json.ipynb",
            "a truncated document",
            Expect(NoticeKind.PARSE_ERROR, "invalid notebook JSON at line", True),
        )
    )
    corpus.write("nb/cells-string.ipynb", json.dumps({"cells": ER_CODE, "nbformat": 4}))
    add(
        Case(
            "notebooks",
            "cells as a string",
            "nb/cells-string.ipynb",
            '"cells" is a string, not a list',
            Expect(NoticeKind.PARSE_ERROR, "not a notebook: no 'cells' list", True),
        )
    )
    mixed = notebook([ER_CODE, code_cell(ER_CODE), code_cell([1, None, {"a": 2}]), code_cell(None)])  # type: ignore[list-item]
    corpus.write("nb/cells-wrong-types.ipynb", json.dumps(mixed, indent=1))
    add(
        Case(
            "notebooks",
            "cells and sources of the wrong types",
            "nb/cells-wrong-types.ipynb",
            "a cell that is a string, a source that is a string, one of numbers, one null",
            findings=True,
        )
    )
    worksheets = {
        "nbformat": 3,
        "worksheets": [{"cells": [{"cell_type": "code", "input": ER_CODE.splitlines(True)}]}],
    }
    corpus.write("nb/nbformat3.ipynb", json.dumps(worksheets, indent=1))
    add(Case("notebooks", "nbformat 3", "nb/nbformat3.ipynb", "worksheets with input lists", findings=True))
    broken_v3 = {
        "nbformat": 3,
        "worksheets": [{"cells": 5}, "ws", {"cells": [{"cell_type": "code", "input": ER_CODE}]}],
    }
    corpus.write("nb/nbformat3-wrong-types.ipynb", json.dumps(broken_v3))
    add(
        Case(
            "notebooks",
            "nbformat 3 with wrong types",
            "nb/nbformat3-wrong-types.ipynb",
            "a worksheet whose cells are a number, a worksheet that is a string",
            Expect(NoticeKind.PARSE_ERROR, "worksheet 0 has no 'cells' list", True),
        )
    )
    # Outputs of 100 MB: base64 images as a notebook holds them.
    size = corpus.scale.big_notebook
    blob = "iVBORw0KGgo" * (size // 11 + 1)
    big = notebook(
        [code_cell(ER_CODE.splitlines(True), [{"output_type": "display_data", "data": {"image/png": blob}}])]
    )
    corpus.write("nb/huge-outputs.ipynb", json.dumps(big))
    add(
        Case(
            "notebooks",
            "outputs of 100 MB",
            "nb/huge-outputs.ipynb",
            f"{size:,} bytes of image output",
            Expect(NoticeKind.TOO_LARGE, "over the 67,108,864-byte limit", True),
        )
    )
    medium = notebook(
        [code_cell(ER_CODE.splitlines(True), [{"output_type": "stream", "text": "x" * (16 * MiB)}])]
    )
    corpus.write("nb/large-outputs.ipynb", json.dumps(medium))
    add(
        Case(
            "notebooks",
            "outputs of 16 MB",
            "nb/large-outputs.ipynb",
            "under the limit: parsed",
            findings=True,
        )
    )
    corpus.write(
        "nb/deep-json.ipynb", '{"x": "from fer import FER", "cells": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    add(
        Case(
            "notebooks",
            "deeply nested JSON",
            "nb/deep-json.ipynb",
            "100,000 nested lists",
            Expect(NoticeKind.PARSE_ERROR, "nested too deeply", True),
        )
    )


# --- model files ---------------------------------------------------------------------------------------


def _onnx_model(labels: list[str], external: Sequence[str] = ()) -> bytes:
    from onnx import TensorProto, helper

    initializers = []
    for index, location in enumerate(external):
        tensor = helper.make_tensor(f"w{index}", TensorProto.FLOAT, [1], [0.0])
        tensor.ClearField("float_data")
        tensor.data_location = TensorProto.EXTERNAL
        entry = tensor.external_data.add()
        entry.key, entry.value = "location", location
        initializers.append(tensor)
    graph = helper.make_graph(
        [
            helper.make_node("Flatten", ["input"], ["flat"]),
            helper.make_node("Identity", ["flat"], ["logits"]),
        ],
        "emotion_net",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 48, 48])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, len(labels)])],
        initializer=initializers,
    )
    model = helper.make_model(graph, producer_name="vendor")
    entry = model.metadata_props.add()
    entry.key, entry.value = "labels", json.dumps(labels)
    data: bytes = model.SerializeToString()
    return data


def _pickle_payload(function: object, argument: str) -> object:
    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return function, (argument,)

    return Payload()


@builder
def models_onnx(corpus: Corpus) -> None:
    try:
        import onnx  # noqa: F401
    except ImportError:
        return
    add = corpus.add
    whole = _onnx_model(FER_LABELS)
    corpus.write("models/onnx/truncated.onnx", whole[: len(whole) // 2])
    add(
        Case(
            "models",
            "truncated ONNX",
            "models/onnx/truncated.onnx",
            "the second half cut off",
            Expect(NoticeKind.PARTIAL, "ONNX model read in part", False),
        )
    )
    corpus.write("models/onnx/not-protobuf.onnx", b"this is not a protobuf at all \xff\xff\xff\xff\n" * 10)
    add(
        Case(
            "models",
            "ONNX that is not protobuf",
            "models/onnx/not-protobuf.onnx",
            "text and 0xff bytes",
            Expect(NoticeKind.PARSE_ERROR, "not an ONNX model", True),
        )
    )
    assert corpus.outside is not None
    canary = corpus.outside / "external-canary.bin"
    os.mkfifo(canary)  # opening it for reading would block the scan: it must never be opened
    relative = os.path.relpath(canary, corpus.root / "models/onnx/external")
    external = [relative, "/etc/shadow", "../../../../../../etc/passwd", "weights.bin"]
    corpus.write("models/onnx/external/model.onnx", _onnx_model(FER_LABELS, external))
    add(
        Case(
            "models",
            "ONNX external data outside the model folder",
            "models/onnx/external/model.onnx",
            "external_data locations ../../…, /etc/shadow and a FIFO beside the corpus",
            Expect(NoticeKind.PARTIAL, "points outside the model's folder", False),
            findings=True,
            never_touched=("external-canary.bin", "/etc/shadow", "/etc/passwd"),
        )
    )


@builder
def models_safetensors(corpus: Corpus) -> None:
    add = corpus.add
    header = json.dumps({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
    cases = {
        "length-2p63.safetensors": (struct.pack("<Q", 1 << 63) + header, "exceeds the file size"),
        "length-over-file.safetensors": (struct.pack("<Q", 10_000) + header, "exceeds the file size"),
        "not-json.safetensors": (struct.pack("<Q", 12) + b"\x00\x01garbage!!!!", "not a JSON object"),
        "nested-json.safetensors": (None, "nested too deeply"),
        "wrong-types.safetensors": (None, "tensor entries have no valid shape"),
    }
    nested = b'{"a": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    wrong = json.dumps({"__metadata__": [1], "w": [1, 2], "v": {"shape": "x"}, "u": {"shape": [-1]}}).encode()
    for name, (data, phrase) in cases.items():
        if name == "nested-json.safetensors":
            data = struct.pack("<Q", len(nested)) + nested
        elif name == "wrong-types.safetensors":
            data = struct.pack("<Q", len(wrong)) + wrong
        assert data is not None
        corpus.write(f"models/safetensors/{name}", data)
        fatal = name != "wrong-types.safetensors"
        kind = NoticeKind.PARSE_ERROR if fatal else NoticeKind.PARTIAL
        add(
            Case(
                "models",
                name.removesuffix(".safetensors").replace("-", " "),
                f"models/safetensors/{name}",
                phrase,
                Expect(kind, phrase, fatal),
            )
        )


@builder
def models_pickles(corpus: Corpus) -> None:
    add = corpus.add
    assert corpus.outside is not None
    payloads = {
        "os-system.pkl": (os.system, "touch {canary}"),
        "builtins-exec.pkl": (exec, "open({canary!r}, 'w').write('ran')"),
        "builtins-eval.pkl": (eval, "open({canary!r}, 'w')"),
    }
    for name, (function, template) in payloads.items():
        canary = corpus.outside / f"canary-{name}"
        corpus.canaries.append(canary)
        argument = template.format(canary=str(canary))
        document = {"labels": FER_LABELS, "run": _pickle_payload(function, argument)}
        corpus.write(f"models/pickle/{name}", pickle.dumps(document, protocol=2))
        add(
            Case(
                "models",
                f"pickle calling {getattr(function, '__name__', name)}",
                f"models/pickle/{name}",
                "REDUCE of a GLOBAL that would run a command; a canary file shows if it ever ran",
                findings=True,
                never_touched=(canary.name,),
            )
        )
    canary = corpus.outside / "canary-torch.pt"
    corpus.canaries.append(canary)
    data_pkl = pickle.dumps(
        {"labels": FER_LABELS, "run": _pickle_payload(os.system, f"touch {canary}")}, protocol=2
    )
    corpus.write("models/pickle/evil.pt", zip_of({"archive/data.pkl": data_pkl, "archive/version": b"3\n"}))
    add(
        Case(
            "models",
            "PyTorch zip whose data.pkl runs a command",
            "models/pickle/evil.pt",
            "os.system in archive/data.pkl",
            findings=True,
            never_touched=(canary.name,),
        )
    )
    corpus.write(
        "models/pickle/no-data-pkl.pt", zip_of({"archive/version": b"3\n", "archive/data/0": b"\0" * 64})
    )
    add(
        Case(
            "models",
            "PyTorch zip without data.pkl",
            "models/pickle/no-data-pkl.pt",
            "version and data/ only",
            Expect(NoticeKind.PARSE_ERROR, "PyTorch archive without data.pkl", True),
        )
    )
    malformed = {
        "underflow.pkl": (b"\x80\x02R.", "stack underflow"),
        "no-mark.pkl": (b"\x80\x02K\x01e.", "no MARK on the stack"),
        "bad-opcode.pkl": (b"\x80\x02\xfe\xfe\xfe", "malformed pickle"),
        "memo-before-put.pkl": (b"\x80\x02h\x07.", "read before it was written"),
        "huge-string.pkl": (b"\x80\x02X\xff\xff\xff\x7f" + b"a" * 64, "malformed pickle"),
        "no-stop.pkl": (b"\x80\x02K\x01K\x02", "malformed pickle"),
    }
    for name, (data, phrase) in malformed.items():
        corpus.write(f"models/pickle/{name}", data)
        add(
            Case(
                "models",
                f"malformed pickle ({name[:-4]})",
                f"models/pickle/{name}",
                repr(data[:12]),
                Expect(NoticeKind.PARSE_ERROR, phrase, True),
            )
        )


@builder
def models_other_formats(corpus: Corpus) -> None:
    add = corpus.add
    try:
        import h5py
        import numpy as np
    except ImportError:
        pass
    else:
        path = corpus.root / "models/keras/huge-attribute.h5"
        path.parent.mkdir(parents=True, exist_ok=True)
        with h5py.File(path, "w", libver="latest") as h5:
            h5.attrs["model_config"] = np.frombuffer(
                b"{" + b" " * corpus.scale.huge_attribute + b"}", dtype="S1"
            )
        add(
            Case(
                "models",
                "HDF5 with a huge attribute",
                "models/keras/huge-attribute.h5",
                f"a model_config attribute of {corpus.scale.huge_attribute:,} bytes",
                Expect(NoticeKind.PARSE_ERROR, "over the 16,777,216 limit", True),
            )
        )
    absurd = b"GGUF" + struct.pack("<IQQ", 3, (1 << 64) - 1, (1 << 64) - 1) + bytes(64)
    corpus.write("models/gguf/absurd-counts.gguf", absurd)
    add(
        Case(
            "models",
            "GGUF with absurd counts",
            "models/gguf/absurd-counts.gguf",
            "2^64-1 tensors and keys",
            Expect(NoticeKind.PARSE_ERROR, "more than the", True),
        )
    )
    array = (
        b"GGUF"
        + struct.pack("<IQQ", 3, 0, 1)
        + struct.pack("<Q", 4)
        + b"tags"
        + struct.pack("<IIQ", 9, 8, 1 << 62)
    )
    corpus.write("models/gguf/absurd-array.gguf", array)
    add(
        Case(
            "models",
            "GGUF with an absurd array length",
            "models/gguf/absurd-array.gguf",
            "2^62 strings",
            Expect(NoticeKind.PARSE_ERROR, "more than the file holds", True),
        )
    )
    if LOOPING_HDF5.is_file():
        corpus.write("models/keras/looping.h5", LOOPING_HDF5.read_bytes())
        add(
            Case(
                "models",
                "HDF5 that makes libhdf5 loop",
                "models/keras/looping.h5",
                "an input found by benchmarks/fuzz.py on which h5py never returns",
                Expect(
                    NoticeKind.PARSE_ERROR,
                    "took over 5 s (a malformed file can make the HDF5 library loop)",
                    True,
                ),
            )
        )
    tflite = struct.pack("<I", 0x7FFFFFF0) + b"TFL3" + bytes(56)
    corpus.write("models/tflite/bad-offsets.tflite", tflite)
    add(
        Case(
            "models",
            "TFLite with bad offsets",
            "models/tflite/bad-offsets.tflite",
            "a root offset past the end",
            Expect(NoticeKind.PARSE_ERROR, "points outside the buffer", True),
        )
    )
    vtable = struct.pack("<I", 8) + b"TFL3" + struct.pack("<i", -(1 << 30)) + bytes(52)
    corpus.write("models/tflite/bad-vtable.tflite", vtable)
    add(
        Case(
            "models",
            "TFLite with a vtable outside the file",
            "models/tflite/bad-vtable.tflite",
            "a vtable offset of -2^30",
            Expect(NoticeKind.PARSE_ERROR, "points outside the buffer", True),
        )
    )


# --- configs and declarations --------------------------------------------------------------------------


@builder
def configs(corpus: Corpus) -> None:
    add = corpus.add
    corpus.write("cfg/toml/pyproject.toml", '[project\nname = "x"\ndependencies = ["deepface"]\n')
    add(
        Case(
            "configs",
            "TOML syntax error",
            "cfg/toml/pyproject.toml",
            "an unclosed table header",
            Expect(NoticeKind.PARSE_ERROR, "invalid TOML", True),
        )
    )
    corpus.write(
        "cfg/json/config.json",
        '{"architectures": ["ViTForImageClassification"], "id2label": {"0": "angry",\n',
    )
    add(
        Case(
            "configs",
            "JSON syntax error",
            "cfg/json/config.json",
            "a truncated Hugging Face config",
            Expect(NoticeKind.PARSE_ERROR, "is not valid JSON", True),
        )
    )
    corpus.write(
        "cfg/yaml/environment.yml",
        "name: x\ndependencies:\n  - python=3.11\n  - pip:\n    - deepface==0.0.93\n  - [unclosed\n: : :\n\t- tab\n",
    )
    add(
        Case(
            "configs",
            "YAML syntax error",
            "cfg/yaml/environment.yml",
            "an unclosed flow list, a tab",
            findings=True,
        )
    )
    laughs = "".join(
        f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9 if i else ['"lol"'] * 9) + "]\n" for i in range(10)
    )
    corpus.write(
        "cfg/laughs/data.yaml",
        laughs + "nc: 7\nepochs: 30\ntrain: images/train\nnames: [" + ", ".join(FER_LABELS) + "]\n",
    )
    add(
        Case(
            "configs",
            "billion laughs YAML",
            "cfg/laughs/data.yaml",
            "ten levels of aliases (10^9 strings if expanded) in a YOLO training config",
            findings=True,
        )
    )
    corpus.write("cfg/huge/requirements.txt", "deepface==0.0.93\n# " + "x" * (5 * MiB) + "\nnumpy\n")
    add(
        Case(
            "configs",
            "huge string (requirements)",
            "cfg/huge/requirements.txt",
            "a 5 MB comment line",
            findings=True,
        )
    )
    huge_config = {
        "architectures": ["ViTForImageClassification"],
        "_name_or_path": "x" * (4 * MiB),
        "id2label": dict(enumerate(FER_LABELS)),
    }
    corpus.write("cfg/huge/config.json", json.dumps(huge_config))
    add(
        Case(
            "configs",
            "huge string (model config)",
            "cfg/huge/config.json",
            "a 4 MB _name_or_path",
            findings=True,
        )
    )
    wrong = {
        "architectures": {"a": 1},
        "model_type": [1, 2],
        "_name_or_path": 3,
        "label2id": "angry",
        "num_labels": "seven",
        "id2label": {str(i): label for i, label in enumerate(FER_LABELS)},
        "label_names": [None, 1, {}],
        "pretrained_cfg": "x",
    }
    corpus.write("cfg/types/config.json", json.dumps(wrong, indent=1))
    add(
        Case(
            "configs",
            "wrong types (model config)",
            "cfg/types/config.json",
            "every key of the wrong type but id2label",
            findings=True,
        )
    )
    corpus.write(
        "cfg/types/pyproject.toml",
        '[project]\nname = 5\ndependencies = 5\n[project.optional-dependencies]\nx = "deepface"\ny = [1, 2]\n'
        'z = ["deepface>=0.0.90"]\n[tool.poetry.dependencies]\nfer = 3\n',
    )
    add(
        Case(
            "configs",
            "wrong types (pyproject)",
            "cfg/types/pyproject.toml",
            "dependencies a number, extras a string and numbers",
            findings=True,
        )
    )
    corpus.write(
        "cfg/types/Pipfile", '[packages]\ndeepface = 5\nfer = {version = 3}\n[dev-packages]\n"x" = []\n'
    )
    add(
        Case(
            "configs",
            "wrong types (Pipfile)",
            "cfg/types/Pipfile",
            "versions as numbers and tables",
            findings=True,
        )
    )
    # Long runs of one character: where a regular expression that backtracks goes quadratic.
    huge = "x" * (4 * MiB)
    corpus.write(
        "cfg/huge/pyproject.toml",
        f'[project]\nname = "a"\ndescription = "{huge}"\ndependencies = ["deepface"]\n',
    )
    add(
        Case(
            "configs",
            "huge string (pyproject)",
            "cfg/huge/pyproject.toml",
            "a 4 MB description",
            findings=True,
        )
    )
    lock = {"_meta": {"hash": huge}, "default": {"deepface": {"version": "==0.0.93"}}, "develop": {}}
    corpus.write("cfg/huge/Pipfile.lock", json.dumps(lock))
    add(Case("configs", "huge string (Pipfile.lock)", "cfg/huge/Pipfile.lock", "a 4 MB hash", findings=True))
    blank = "\n" * corpus.scale.blank_lines
    corpus.write(
        "cfg/blank/pyproject.toml",
        f'[project]\nname = "a"\n{blank}dependencies = ["deepface"]\n[tool.emoscan]\n',
    )
    add(
        Case(
            "configs",
            "blank lines (pyproject)",
            "cfg/blank/pyproject.toml",
            f"{corpus.scale.blank_lines:,} blank lines before the dependencies",
            findings=True,
        )
    )
    spaces = " " * 900_000
    corpus.write(
        "cfg/spaces/data.yaml",
        "nc: 7\nepochs: 30\ntrain: images\nnames:\n"
        + "".join(f"  {i}: {label}\n" for i, label in enumerate(FER_LABELS))
        + f"  7: contempt{spaces}x\n",
    )
    add(
        Case(
            "configs",
            "a line of 900,000 spaces (YAML)",
            "cfg/spaces/data.yaml",
            "in a YOLO config",
            findings=True,
        )
    )
    corpus.write(
        "cfg/spaces/README.md",
        f"---\nlicense: mit\ntags:\n- x{spaces}y\nbase_model: trpakov/vit-face-expression{spaces}z\n---\n# Model\n",
    )
    add(
        Case(
            "configs",
            "a line of 900,000 spaces (model card)",
            "cfg/spaces/README.md",
            "front matter",
            findings=True,
        )
    )
    corpus.write("py/import-spaces.py", f"print 'py2'\nimport deepface{' ' * 200_000};\n" + ER_CODE)
    add(
        Case(
            "python",
            "an import line of 200,000 spaces",
            "py/import-spaces.py",
            "read by the lexical fallback (Python 2)",
            Expect(NoticeKind.PARSE_ERROR, "syntax error at line 1", False),
            findings=True,
        )
    )
    corpus.write("cfg/decl/emoscan.toml", '[[deployment]]\nname = 5\npaths = "x"\ncontext = [1]\n')
    corpus.write("cfg/decl/app.py", ER_CODE)
    add(
        Case(
            "configs",
            "declaration of the wrong types",
            "cfg/decl/app.py",
            "emoscan.toml with wrong types",
            findings=True,
        )
    )
