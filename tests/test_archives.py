"""Archives read in place: zip, wheel, tar(.gz/.bz2/.xz), nested archives, and every bound and hostile
member (bombs, links, unsafe names, encryption, truncation, duplicates). Archives are built at test
time; nothing is ever extracted."""

from __future__ import annotations

import io
import json
import lzma
import os
import pickle
import stat
import struct
import tarfile
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sarif import _findings, _validate

from scanner import archives
from scanner.api import scan
from scanner.archive_formats import ArchiveFormat, ArchiveLimits, detect_format
from scanner.archives import clean_member_name
from scanner.cli import main
from scanner.discovery import Artifact, ArtifactKind, Discovered, DiscoveryOptions, discover
from scanner.findings import NoticeKind, ScanResult

MiB = 1024 * 1024

# `FER().detect_emotions` is on line 4: every archive test looks for EMO004 there.
FER_CODE = "from fer import FER\n\nimg = None\nFER().detect_emotions(img)\n"
FER_LINE = 4
PLAIN_CODE = "print('hello')\n"

Members = dict[str, str | bytes]


# --- building archives -----------------------------------------------------------------------------


def _bytes(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def zip_bytes(members: Members, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, _bytes(content))
    return buffer.getvalue()


def tar_bytes(members: Members, mode: str = "w:gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for name, content in members.items():
            data = _bytes(content)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    value: bytes = buffer.getvalue()
    return value


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def hits(result: ScanResult) -> set[tuple[str, str, int]]:
    return {(r.rule_id, r.location.path, r.location.line) for r in result.results}


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def run_scan(tmp_path: Path, *paths: Path) -> ScanResult:
    """Scan and check that the scan created nothing: archives are read in place."""
    before = files_under(tmp_path)
    result = scan(list(paths) or [tmp_path], base=tmp_path)
    assert files_under(tmp_path) == before
    return result


def listed(
    tmp_path: Path, path: Path, limits: ArchiveLimits | None = None, include_vendored: bool = False
) -> Discovered:
    before = files_under(tmp_path)
    options = DiscoveryOptions(include_vendored=include_vendored, archive_limits=limits or ArchiveLimits())
    found = discover([path], options, tmp_path)
    assert files_under(tmp_path) == before
    return found


def member_paths(found: Discovered) -> list[str]:
    return [a.path for a in found.artifacts if a.in_archive]


@pytest.fixture(autouse=True)
def never_extract(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any extraction is a test failure, whatever the code path."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("an archive member was extracted to disk")

    for owner, name in (
        (zipfile.ZipFile, "extract"),
        (zipfile.ZipFile, "extractall"),
        (tarfile.TarFile, "extract"),
        (tarfile.TarFile, "extractall"),
    ):
        monkeypatch.setattr(owner, name, refuse)
    yield
    archives.close_archives()


# --- finding emotion recognition inside archives ---------------------------------------------------


def test_python_file_in_a_zip_is_reported_at_its_member_path(tmp_path: Path) -> None:
    write(tmp_path / "delivery.zip", zip_bytes({"pkg/app.py": FER_CODE, "pkg/README.txt": "docs"}))
    result = run_scan(tmp_path, tmp_path / "delivery.zip")
    assert hits(result) == {("EMO004", "delivery.zip!/pkg/app.py", FER_LINE)}
    assert result.notices == ()
    assert result.execution_successful


def test_zip_found_while_walking_a_folder_is_opened(tmp_path: Path) -> None:
    write(tmp_path / "vendor" / "delivery.zip", zip_bytes({"pkg/app.py": FER_CODE}))
    (tmp_path / "main.py").write_text(FER_CODE, encoding="utf-8")
    result = run_scan(tmp_path)
    assert hits(result) == {
        ("EMO004", "main.py", FER_LINE),
        ("EMO004", "vendor/delivery.zip!/pkg/app.py", FER_LINE),
    }


def test_wheel(tmp_path: Path) -> None:
    wheel = zip_bytes(
        {
            "moodcam/__init__.py": "",
            "moodcam/detect.py": FER_CODE,
            "moodcam-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: moodcam\nRequires-Dist: fer\n",
        }
    )
    write(tmp_path / "dist" / "moodcam-1.0-py3-none-any.whl", wheel)
    result = run_scan(tmp_path, tmp_path / "dist" / "moodcam-1.0-py3-none-any.whl")
    assert hits(result) == {("EMO004", "dist/moodcam-1.0-py3-none-any.whl!/moodcam/detect.py", FER_LINE)}


@pytest.mark.parametrize(
    ("name", "mode"),
    [
        ("delivery.tar", "w"),
        ("delivery.tar.gz", "w:gz"),
        ("delivery.tgz", "w:gz"),
        ("delivery.tar.bz2", "w:bz2"),
        ("delivery.tbz2", "w:bz2"),
        ("delivery.tar.xz", "w:xz"),
        ("delivery.txz", "w:xz"),
        ("moodcam-1.0.tar.gz", "w:gz"),  # an sdist
    ],
)
def test_tar_formats(tmp_path: Path, name: str, mode: str) -> None:
    write(tmp_path / name, tar_bytes({"./pkg/app.py": FER_CODE, "./pkg/util.py": PLAIN_CODE}, mode))
    result = run_scan(tmp_path, tmp_path / name)
    assert hits(result) == {("EMO004", f"{name}!/pkg/app.py", FER_LINE)}
    assert result.notices == ()


def test_legacy_lzma_tar(tmp_path: Path) -> None:
    data = lzma.compress(tar_bytes({"pkg/app.py": FER_CODE}, "w"), format=lzma.FORMAT_ALONE)
    write(tmp_path / "old.tar.lzma", data)
    result = run_scan(tmp_path, tmp_path / "old.tar.lzma")
    assert hits(result) == {("EMO004", "old.tar.lzma!/pkg/app.py", FER_LINE)}


def test_compression_is_told_by_the_bytes_not_the_name(tmp_path: Path) -> None:
    write(tmp_path / "mislabelled.tar.gz", tar_bytes({"app.py": FER_CODE}, "w:bz2"))
    write(tmp_path / "plain.tgz", tar_bytes({"app.py": FER_CODE}, "w"))
    result = run_scan(tmp_path)
    assert hits(result) == {
        ("EMO004", "mislabelled.tar.gz!/app.py", FER_LINE),
        ("EMO004", "plain.tgz!/app.py", FER_LINE),
    }


def test_tar_members_read_out_of_stream_order(tmp_path: Path) -> None:
    """Artifacts are analysed in path order; a compressed tar stream is shared and seeks back."""
    members: Members = {f"pkg/{name}.py": FER_CODE for name in ("z", "m", "a")}
    write(tmp_path / "delivery.tar.xz", tar_bytes(members, "w:xz"))
    result = run_scan(tmp_path, tmp_path / "delivery.tar.xz")
    assert hits(result) == {("EMO004", f"delivery.tar.xz!/pkg/{n}.py", FER_LINE) for n in "zma"}


def test_zip_nested_in_a_tar_gz(tmp_path: Path) -> None:
    inner = zip_bytes({"pkg/app.py": FER_CODE})
    write(tmp_path / "outer.tar.gz", tar_bytes({"vendor/inner.zip": inner, "setup.py": PLAIN_CODE}))
    result = run_scan(tmp_path, tmp_path / "outer.tar.gz")
    assert hits(result) == {("EMO004", "outer.tar.gz!/vendor/inner.zip!/pkg/app.py", FER_LINE)}


def test_tar_gz_nested_in_a_zip(tmp_path: Path) -> None:
    inner = tar_bytes({"pkg/app.py": FER_CODE})
    write(tmp_path / "outer.zip", zip_bytes({"inner.tar.gz": inner}, zipfile.ZIP_STORED))
    result = run_scan(tmp_path, tmp_path / "outer.zip")
    assert hits(result) == {("EMO004", "outer.zip!/inner.tar.gz!/pkg/app.py", FER_LINE)}
    kinds = {a.path: a.kind for a in listed(tmp_path, tmp_path / "outer.zip").artifacts}
    assert kinds["outer.zip"] is ArtifactKind.OTHER
    assert kinds["outer.zip!/inner.tar.gz"] is ArtifactKind.OTHER


def test_hugging_face_config_in_a_zip_is_analysed(tmp_path: Path) -> None:
    labels = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
    config = {
        "architectures": ["ViTForImageClassification"],
        "id2label": {str(i): label for i, label in enumerate(labels)},
        "label2id": {label: i for i, label in enumerate(labels)},
        "model_type": "vit",
    }
    write(tmp_path / "delivery.zip", zip_bytes({"model/config.json": json.dumps(config, indent=2)}))
    result = run_scan(tmp_path, tmp_path / "delivery.zip")
    assert {e.location.path for e in result.evidence} == {"delivery.zip!/model/config.json"}


# --- what is a model and what is an archive --------------------------------------------------------


def torch_zip() -> bytes:
    return zip_bytes(
        {"archive/data.pkl": b"\x80\x02}q\x00.", "archive/version": "3\n", "archive/data/0": b"\0" * 16},
        zipfile.ZIP_STORED,
    )


def keras_zip() -> bytes:
    return zip_bytes({"config.json": "{}", "metadata.json": "{}", "model.weights.h5": b"\x89HDF\r\n\x1a\n"})


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("model.pt", torch_zip, ArtifactKind.PYTORCH_ZIP),
        ("model.zip", torch_zip, ArtifactKind.PYTORCH_ZIP),
        ("pytorch_model.bin", torch_zip, ArtifactKind.PYTORCH_ZIP),
        ("checkpoint", torch_zip, ArtifactKind.PYTORCH_ZIP),
        ("model.keras", keras_zip, ArtifactKind.KERAS),
        ("model.zip", keras_zip, ArtifactKind.PYTORCH_ZIP),  # the pickle analyzer hands Keras on
    ],
)
def test_models_saved_as_zips_are_not_descended_into(
    tmp_path: Path, name: str, data: object, kind: ArtifactKind
) -> None:
    assert callable(data)
    write(tmp_path / name, data())
    found = listed(tmp_path, tmp_path / name)
    assert [(a.path, a.kind) for a in found.artifacts] == [(name, kind)]
    assert found.notices == []


def test_models_inside_an_archive_are_model_members(tmp_path: Path) -> None:
    delivery = zip_bytes(
        {"weights/model.pt": torch_zip(), "weights/blob": torch_zip(), "w/m.keras": keras_zip()}
    )
    write(tmp_path / "delivery.zip", delivery)
    kinds = {a.path: a.kind for a in listed(tmp_path, tmp_path / "delivery.zip").artifacts}
    assert kinds == {
        "delivery.zip": ArtifactKind.OTHER,
        "delivery.zip!/weights/model.pt": ArtifactKind.PYTORCH_ZIP,
        "delivery.zip!/weights/blob": ArtifactKind.PYTORCH_ZIP,
        "delivery.zip!/w/m.keras": ArtifactKind.KERAS,
    }


def test_a_plain_zip_with_a_generic_name_is_descended_into(tmp_path: Path) -> None:
    write(tmp_path / "payload.bin", zip_bytes({"app.py": FER_CODE}))
    result = run_scan(tmp_path, tmp_path / "payload.bin")
    assert hits(result) == {("EMO004", "payload.bin!/app.py", FER_LINE)}


def test_model_member_is_read_through_the_archive(tmp_path: Path) -> None:
    """A model analyzer opens a zip member as a zip of its own: the stream must seek."""
    write(tmp_path / "delivery.zip", zip_bytes({"weights/model.pt": torch_zip()}))
    (member,) = [a for a in listed(tmp_path, tmp_path / "delivery.zip").artifacts if a.in_archive]
    with member.open() as handle, zipfile.ZipFile(handle) as inner:
        assert inner.read("archive/version") == b"3\n"


def test_named_like_an_archive_but_not_one(tmp_path: Path) -> None:
    write(tmp_path / "broken.zip", b"this is not a zip file at all")
    write(tmp_path / "app.py", FER_CODE.encode())
    result = run_scan(tmp_path)
    assert hits(result) == {("EMO004", "app.py", FER_LINE)}
    (notice,) = result.notices
    assert notice.path == "broken.zip"
    assert "not one" in notice.message


def test_archive_formats_that_cannot_be_read_are_a_notice(tmp_path: Path) -> None:
    write(tmp_path / "delivery.7z", b"7z\xbc\xaf\x27\x1c" + bytes(32))
    write(tmp_path / "outer.zip", zip_bytes({"vendor/models.tar.zst": b"\x28\xb5\x2f\xfd" + bytes(32)}))
    result = run_scan(tmp_path)
    messages = {n.path: n.message for n in result.notices}
    assert messages == {
        "delivery.7z": ".7z archives cannot be read (no reader in the standard library); contents not scanned",
        "outer.zip!/vendor/models.tar.zst": (
            ".tar.zst archives cannot be read (no reader in the standard library); contents not scanned"
        ),
    }
    assert not result.execution_successful


# --- bounds ----------------------------------------------------------------------------------------


def nest(levels: int) -> bytes:
    """A zip holding a zip ... `levels` deep, app.py in the innermost."""
    data = zip_bytes({"app.py": FER_CODE})
    for level in range(levels - 1, 0, -1):
        data = zip_bytes({f"l{level + 1}.zip": data, f"at{level}.py": FER_CODE})
    return data


def test_nesting_within_the_depth_bound_is_read(tmp_path: Path) -> None:
    write(tmp_path / "l1.zip", nest(3))
    result = run_scan(tmp_path, tmp_path / "l1.zip")
    assert hits(result) == {
        ("EMO004", "l1.zip!/at1.py", FER_LINE),
        ("EMO004", "l1.zip!/l2.zip!/at2.py", FER_LINE),
        ("EMO004", "l1.zip!/l2.zip!/l3.zip!/app.py", FER_LINE),
    }


def test_nesting_past_the_depth_bound_is_a_notice(tmp_path: Path) -> None:
    write(tmp_path / "l1.zip", nest(4))
    result = run_scan(tmp_path, tmp_path / "l1.zip")
    assert ("EMO004", "l1.zip!/l2.zip!/l3.zip!/at3.py", FER_LINE) in hits(result)
    assert not any("l4.zip!/" in path for _, path, _ in hits(result))
    (notice,) = result.notices
    assert notice.path == "l1.zip!/l2.zip!/l3.zip!/l4.zip"
    assert notice.kind is NoticeKind.TOO_LARGE
    assert "max_depth 3" in notice.message


def test_depth_bound_is_configurable(tmp_path: Path) -> None:
    write(tmp_path / "l1.zip", nest(2))
    found = listed(tmp_path, tmp_path / "l1.zip", ArchiveLimits(max_depth=1))
    assert member_paths(found) == ["l1.zip!/at1.py", "l1.zip!/l2.zip"]
    (notice,) = found.notices
    assert (notice.path, "max_depth 1" in notice.message) == ("l1.zip!/l2.zip", True)


def write_zip_bomb(path: Path, size: int) -> Path:
    """A zip whose one member is `size` zeros, written in chunks so the test itself stays small."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("pkg/app.py", FER_CODE)
        with archive.open("data/zeros.bin", "w", force_zip64=size >= 1 << 31) as member:
            chunk = b"\0" * MiB
            for _ in range(size // MiB):
                member.write(chunk)
    return path


def test_zip_bomb_member_is_a_notice_and_never_decompressed(tmp_path: Path) -> None:
    write_zip_bomb(tmp_path / "bomb.zip", 50 * MiB)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = run_scan(tmp_path, tmp_path / "bomb.zip")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 30
    assert peak < 20 * MiB
    assert hits(result) == {("EMO004", "bomb.zip!/pkg/app.py", FER_LINE)}
    (notice,) = result.notices
    assert notice.path == "bomb.zip!/data/zeros.bin"
    assert notice.kind is NoticeKind.TOO_LARGE
    assert "52,428,800 bytes" in notice.message
    assert "200:1" in notice.message
    assert "bomb" in notice.message


def test_tar_gz_bomb_member_is_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "bomb.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        code = FER_CODE.encode()
        info = tarfile.TarInfo("pkg/app.py")
        info.size = len(code)
        archive.addfile(info, io.BytesIO(code))
        info = tarfile.TarInfo("data/zeros.onnx")
        info.size = 50 * MiB
        archive.addfile(info, io.BytesIO(bytes(info.size)))
    result = run_scan(tmp_path, path)
    assert hits(result) == {("EMO004", "bomb.tar.gz!/pkg/app.py", FER_LINE)}
    (notice,) = result.notices
    assert notice.path == "bomb.tar.gz!/data/zeros.onnx"
    assert "bomb" in notice.message


def test_member_count_bound(tmp_path: Path) -> None:
    members: Members = {f"pkg/m{i:02}.py": PLAIN_CODE for i in range(10)}
    write(tmp_path / "many.zip", zip_bytes(members))
    write(tmp_path / "many.tar", tar_bytes(members, "w"))
    limits = ArchiveLimits(max_members=5)
    zipped = listed(tmp_path, tmp_path / "many.zip", limits)
    assert member_paths(zipped) == []
    (notice,) = zipped.notices
    assert notice.path == "many.zip"
    assert "10 entries" in notice.message
    assert "5 members (max_members)" in notice.message
    # A tar is a stream: the members before the bound are listed.
    tarred = listed(tmp_path, tmp_path / "many.tar", limits)
    assert member_paths(tarred) == [f"many.tar!/pkg/m{i:02}.py" for i in range(5)]
    (notice,) = tarred.notices
    assert (notice.path, notice.kind) == ("many.tar", NoticeKind.TOO_LARGE)
    assert "more than 5 entries (bound: max_members)" in notice.message
    assert "many.tar!/pkg/m05.py" in notice.message


def test_total_bytes_bound(tmp_path: Path) -> None:
    members: Members = {"a.py": "x = 1\n" * 100, "b.py": "y = 2\n" * 100, "c.py": FER_CODE}
    write(tmp_path / "big.zip", zip_bytes(members))
    found = listed(tmp_path, tmp_path / "big.zip", ArchiveLimits(max_total_bytes=700))
    assert member_paths(found) == ["big.zip!/a.py", "big.zip!/c.py"]
    (notice,) = found.notices
    assert notice.path == "big.zip!/b.py"
    assert "max_total_bytes" in notice.message


def test_members_that_are_never_read_do_not_count_against_the_total(tmp_path: Path) -> None:
    write(tmp_path / "media.zip", zip_bytes({"a.jpg": b"\xff" * 5000, "app.py": FER_CODE}))
    found = listed(tmp_path, tmp_path / "media.zip", ArchiveLimits(max_total_bytes=1000))
    assert member_paths(found) == ["media.zip!/a.jpg", "media.zip!/app.py"]
    assert found.notices == []


def test_stored_members_are_read_in_place_and_cost_nothing(tmp_path: Path) -> None:
    members: Members = {"model.onnx": b"\x08\x07" * 5000, "app.py": FER_CODE}
    write(tmp_path / "stored.zip", zip_bytes(members, zipfile.ZIP_STORED))
    write(tmp_path / "plain.tar", tar_bytes(members, "w"))
    for name in ("stored.zip", "plain.tar"):
        found = listed(tmp_path, tmp_path / name, ArchiveLimits(max_total_bytes=100))
        assert member_paths(found) == [f"{name}!/app.py", f"{name}!/model.onnx"]
        assert found.notices == []


def test_tar_stream_bound(tmp_path: Path) -> None:
    members: Members = {"app.py": FER_CODE, "big.dat": bytes(64 * 1024), "late.py": FER_CODE}
    write(tmp_path / "long.tar.gz", tar_bytes(members))
    found = listed(tmp_path, tmp_path / "long.tar.gz", ArchiveLimits(max_total_bytes=32 * 1024))
    assert "long.tar.gz!/app.py" in member_paths(found)
    assert "long.tar.gz!/late.py" not in member_paths(found)
    (notice,) = found.notices
    assert (notice.path, notice.kind) == ("long.tar.gz", NoticeKind.TOO_LARGE)
    assert "max_total_bytes" in notice.message


def test_nested_archive_size_bound(tmp_path: Path) -> None:
    inner = zip_bytes({"app.py": FER_CODE, "pad.txt": os.urandom(4096)}, zipfile.ZIP_STORED)
    write(tmp_path / "outer.zip", zip_bytes({"inner.zip": inner}))
    found = listed(tmp_path, tmp_path / "outer.zip", ArchiveLimits(max_nested_bytes=1024))
    assert member_paths(found) == ["outer.zip!/inner.zip"]
    (notice,) = found.notices
    assert notice.path == "outer.zip!/inner.zip"
    assert "max_nested_bytes" in notice.message


def test_notices_per_archive_are_capped(tmp_path: Path) -> None:
    path = tmp_path / "links.tar"
    with tarfile.open(path, "w") as archive:
        for i in range(10):
            info = tarfile.TarInfo(f"link{i}")
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            archive.addfile(info)
    found = listed(tmp_path, path, ArchiveLimits(max_notices=3))
    assert len(found.notices) == 4
    assert "7 more problems" in found.notices[-1].message


# --- hostile and broken members --------------------------------------------------------------------


def test_unsafe_member_names_are_scanned_in_place_and_never_written(tmp_path: Path) -> None:
    outside = tmp_path.parent / "evil.py"
    absolute = Path("/etc/x.py")
    assert not outside.exists()
    assert not absolute.exists()
    write(tmp_path / "evil.tar", tar_bytes({"../evil.py": FER_CODE, "/etc/x.py": FER_CODE}, "w"))
    result = run_scan(tmp_path, tmp_path / "evil.tar")
    assert hits(result) == {
        ("EMO004", "evil.tar!/__/evil.py", FER_LINE),
        ("EMO004", "evil.tar!/etc/x.py", FER_LINE),
    }
    messages = {n.path: n.message for n in result.notices}
    assert "'../evil.py' climbs out of the archive" in messages["evil.tar!/__/evil.py"]
    assert "'/etc/x.py' is an absolute path" in messages["evil.tar!/etc/x.py"]
    assert not any(n.fatal for n in result.notices)
    assert not outside.exists()
    assert not absolute.exists()
    assert not (tmp_path / "__").exists()


def test_unsafe_names_in_a_zip(tmp_path: Path) -> None:
    write(tmp_path / "evil.zip", zip_bytes({"..\\..\\win.py": FER_CODE, "C:/x.py": PLAIN_CODE}))
    found = listed(tmp_path, tmp_path / "evil.zip")
    assert member_paths(found) == ["evil.zip!/__/__/win.py", "evil.zip!/x.py"]
    assert len(found.notices) == 2


@pytest.mark.parametrize(
    ("name", "clean", "problem"),
    [
        ("pkg/app.py", "pkg/app.py", None),
        ("./pkg//app.py", "pkg/app.py", None),
        ("../../etc/passwd", "__/__/etc/passwd", "climbs out of the archive with '..'"),
        ("/abs/app.py", "abs/app.py", "is an absolute path"),
        ("C:\\Windows\\x.py", "Windows/x.py", "is an absolute path"),
        ("a:b.py", "a:b.py", None),
        ("bad\nname.py", "bad?name.py", None),
        ("caf\udce9.py", "caf\ufffd.py", None),
    ],
)
def test_clean_member_name(name: str, clean: str, problem: str | None) -> None:
    assert clean_member_name(name) == (clean, problem)


def test_link_and_device_members_are_never_followed(tmp_path: Path) -> None:
    path = tmp_path / "links.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        code = FER_CODE.encode()
        info = tarfile.TarInfo("pkg/app.py")
        info.size = len(code)
        archive.addfile(info, io.BytesIO(code))
        for name, kind, target in (
            ("pkg/passwd", tarfile.SYMTYPE, "/etc/passwd"),
            ("pkg/copy.py", tarfile.LNKTYPE, "pkg/app.py"),
            ("pkg/dev", tarfile.CHRTYPE, ""),
        ):
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = target
            archive.addfile(info)
    result = run_scan(tmp_path, path)
    assert hits(result) == {("EMO004", "links.tar.gz!/pkg/app.py", FER_LINE)}
    messages = {n.path: n.message for n in result.notices}
    assert messages == {
        "links.tar.gz!/pkg/passwd": "symbolic link to '/etc/passwd'; not followed",
        "links.tar.gz!/pkg/copy.py": "hard link to 'pkg/app.py'; not followed",
        "links.tar.gz!/pkg/dev": "special file (device or FIFO); skipped",
    }
    assert not any(n.fatal for n in result.notices)


def test_zip_symlink_member(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("pkg/link.py")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
        archive.writestr("pkg/app.py", FER_CODE)
    write(tmp_path / "links.zip", buffer.getvalue())
    result = run_scan(tmp_path, tmp_path / "links.zip")
    assert hits(result) == {("EMO004", "links.zip!/pkg/app.py", FER_LINE)}
    (notice,) = result.notices
    assert (notice.path, notice.message, notice.fatal) == (
        "links.zip!/pkg/link.py",
        "symbolic link; not followed",
        False,
    )


def mark_encrypted(data: bytes, name: str) -> bytes:
    """Set the 'encrypted' flag (bit 0) of one member in its local header and its central directory
    record: zipfile cannot write encrypted zips."""
    raw = bytearray(data)
    encoded = name.encode()
    for signature, name_at in ((b"PK\x03\x04", 30), (b"PK\x01\x02", 46)):
        flags_at = 6 if signature == b"PK\x03\x04" else 8
        start = raw.find(signature)
        while start >= 0:
            if raw[start + name_at : start + name_at + len(encoded)] == encoded:
                (flags,) = struct.unpack_from("<H", raw, start + flags_at)
                struct.pack_into("<H", raw, start + flags_at, flags | 0x1)
            start = raw.find(signature, start + 4)
    return bytes(raw)


def test_encrypted_member_is_a_notice(tmp_path: Path) -> None:
    data = zip_bytes({"pkg/secret.py": FER_CODE, "pkg/app.py": FER_CODE}, zipfile.ZIP_STORED)
    write(tmp_path / "locked.zip", mark_encrypted(data, "pkg/secret.py"))
    result = run_scan(tmp_path, tmp_path / "locked.zip")
    assert hits(result) == {("EMO004", "locked.zip!/pkg/app.py", FER_LINE)}
    (notice,) = result.notices
    assert notice.path == "locked.zip!/pkg/secret.py"
    assert notice.kind is NoticeKind.UNSUPPORTED
    assert "encrypted" in notice.message


def test_truncated_zip_is_a_notice_and_the_readable_members_are_scanned(tmp_path: Path) -> None:
    data = zip_bytes({"pkg/app.py": FER_CODE, "pkg/blob.dat": os.urandom(20_000), "pkg/late.py": FER_CODE})
    cut = data.index(b"late.py") + 20  # inside the last member's data: no central directory left
    write(tmp_path / "cut.zip", data[:cut])
    write(tmp_path / "other.py", FER_CODE.encode())
    result = run_scan(tmp_path)
    assert hits(result) == {("EMO004", "cut.zip!/pkg/app.py", FER_LINE), ("EMO004", "other.py", FER_LINE)}
    by_path = {n.path: n for n in result.notices}
    assert "damaged zip archive" in by_path["cut.zip"].message
    assert "truncated" in by_path["cut.zip!/pkg/late.py"].message
    assert not result.execution_successful


def test_zip_without_its_central_directory_is_read_by_local_headers(tmp_path: Path) -> None:
    data = zip_bytes({"pkg/app.py": FER_CODE, "pkg/two.py": FER_CODE})
    write(tmp_path / "cut.zip", data[: data.index(b"PK\x01\x02")])
    result = run_scan(tmp_path, tmp_path / "cut.zip")
    assert hits(result) == {("EMO004", f"cut.zip!/pkg/{n}.py", FER_LINE) for n in ("app", "two")}
    (notice,) = result.notices
    assert notice.path == "cut.zip"


def test_truncated_tar_gz(tmp_path: Path) -> None:
    data = tar_bytes({"pkg/app.py": FER_CODE, "pkg/blob.dat": os.urandom(200_000), "pkg/late.py": FER_CODE})
    write(tmp_path / "cut.tar.gz", data[: len(data) // 2])
    result = run_scan(tmp_path, tmp_path / "cut.tar.gz")
    assert hits(result) == {("EMO004", "cut.tar.gz!/pkg/app.py", FER_LINE)}
    messages = {n.path: n.message for n in result.notices}
    assert "damaged or truncated after 'pkg/blob.dat'" in messages["cut.tar.gz"]
    assert messages["cut.tar.gz!/pkg/blob.dat"] == "the archive ends inside this member"


def test_truncated_plain_tar(tmp_path: Path) -> None:
    data = tar_bytes({"pkg/app.py": FER_CODE, "pkg/blob.dat": bytes(20_000), "pkg/late.py": FER_CODE}, "w")
    write(tmp_path / "cut.tar", data[:10_000])
    result = run_scan(tmp_path, tmp_path / "cut.tar")
    assert hits(result) == {("EMO004", "cut.tar!/pkg/app.py", FER_LINE)}
    assert {n.path for n in result.notices} == {"cut.tar", "cut.tar!/pkg/blob.dat"}


def test_corrupt_member_data_is_a_read_notice(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"pkg/app.py": FER_CODE * 50, "pkg/ok.py": FER_CODE}))
    start = data.index(b"pkg/app.py") + len("pkg/app.py") + 5
    data[start : start + 20] = bytes(20)  # deflate data of app.py overwritten
    write(tmp_path / "corrupt.zip", bytes(data))
    result = run_scan(tmp_path, tmp_path / "corrupt.zip")
    assert ("EMO004", "corrupt.zip!/pkg/ok.py", FER_LINE) in hits(result)
    (notice,) = result.notices
    assert notice.path == "corrupt.zip!/pkg/app.py"
    assert notice.kind is NoticeKind.READ_ERROR


def test_duplicate_names_in_a_zip_are_each_scanned(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("pkg/app.py", PLAIN_CODE)
        archive.writestr("pkg/app.py", FER_CODE)
    write(tmp_path / "dupes.zip", buffer.getvalue())
    result = run_scan(tmp_path, tmp_path / "dupes.zip")
    assert hits(result) == {("EMO004", "dupes.zip!/pkg/app.py (2)", FER_LINE)}
    (notice,) = result.notices
    assert notice.path == "dupes.zip!/pkg/app.py (2)"
    assert "2 entries named 'pkg/app.py'" in notice.message
    assert not notice.fatal


# --- filters, references and resources -------------------------------------------------------------


def test_vendored_folders_inside_archives_are_skipped_unless_asked(tmp_path: Path) -> None:
    members: Members = {"pkg/app.py": FER_CODE, "venv/lib/site-packages/fer/fer.py": FER_CODE}
    write(tmp_path / "delivery.zip", zip_bytes(members))
    assert member_paths(listed(tmp_path, tmp_path / "delivery.zip")) == ["delivery.zip!/pkg/app.py"]
    found = listed(tmp_path, tmp_path / "delivery.zip", include_vendored=True)
    assert member_paths(found) == [
        "delivery.zip!/pkg/app.py",
        "delivery.zip!/venv/lib/site-packages/fer/fer.py",
    ]


def test_exclude_patterns_apply_inside_archives(tmp_path: Path) -> None:
    write(tmp_path / "delivery.zip", zip_bytes({"pkg/app.py": FER_CODE, "tests/test_app.py": FER_CODE}))
    options = DiscoveryOptions(exclude=("tests/",))
    found = discover([tmp_path / "delivery.zip"], options, tmp_path)
    assert member_paths(found) == ["delivery.zip!/pkg/app.py"]


def test_member_artifact_keeps_the_archive_as_fs_path(tmp_path: Path) -> None:
    path = write(tmp_path / "delivery.zip", zip_bytes({"pkg/app.py": FER_CODE}))
    (member,) = [a for a in listed(tmp_path, path).artifacts if a.in_archive]
    assert member.fs_path == path.resolve()
    assert member.member is not None
    assert member.member.member_chain == ("pkg/app.py",)
    assert member.size == len(FER_CODE)
    assert member.read() == FER_CODE.encode()
    assert member.read(4) == b"from"
    with member.open() as handle:
        handle.seek(-3, io.SEEK_END)
        assert handle.read() == b"g)\n"


def test_member_artifacts_pickle_and_reopen(tmp_path: Path) -> None:
    inner = tar_bytes({"pkg/app.py": FER_CODE})
    path = write(tmp_path / "outer.zip", zip_bytes({"inner.tgz": inner}))
    (member,) = [a for a in listed(tmp_path, path).artifacts if a.kind is ArtifactKind.PYTHON]
    copy: Artifact = pickle.loads(pickle.dumps(member))
    assert copy == member
    archives.close_archives()  # as in a fresh worker process
    assert copy.read() == FER_CODE.encode()


@pytest.mark.parametrize("mode", ["w:gz", "w:bz2", "w:xz"])
def test_compressed_tar_members_are_kept_from_the_listing_pass(tmp_path: Path, mode: str) -> None:
    """A compressed stream only seeks back by starting over: small members the scan reads keep the
    bytes the listing already decompressed, within the cache bound."""
    members: Members = {"z.py": FER_CODE, "m.py": PLAIN_CODE, "a.txt": "not read"}
    path = write(tmp_path / "delivery.tar", tar_bytes(members, mode))
    kept = {a.path: a.member for a in listed(tmp_path, path).artifacts if a.member is not None}
    assert kept["delivery.tar!/z.py"].inline == FER_CODE.encode()
    assert kept["delivery.tar!/m.py"].inline == PLAIN_CODE.encode()
    assert kept["delivery.tar!/a.txt"].inline is None  # never read by an analyzer
    limited = ArchiveLimits(max_cached_bytes=len(FER_CODE))
    kept = {a.path: a.member for a in listed(tmp_path, path, limited).artifacts if a.member is not None}
    assert [p for p, m in kept.items() if m.inline is not None] == ["delivery.tar!/z.py"]


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
def test_tar_members_are_read_from_the_stream_in_any_order(tmp_path: Path, mode: str) -> None:
    members: Members = {f"pkg/{name}.py": f"# {name}\n" + FER_CODE * (ord(name) % 7) for name in "zqmhdca"}
    path = write(tmp_path / "delivery.tar", tar_bytes(members, mode))
    found = listed(tmp_path, path, ArchiveLimits(max_cached_bytes=0))
    artifacts = [a for a in found.artifacts if a.in_archive]
    assert all(a.member is not None and a.member.inline is None for a in artifacts)
    for artifact in [*artifacts, *reversed(artifacts)]:
        assert artifact.read() == _bytes(members[artifact.path.split("!/", 1)[1]])
    with artifacts[0].open() as first, artifacts[-1].open() as last:  # two readers share one stream
        assert (first.read(3), last.read(3), first.read(3)) == (b"# a", b"# z", b"\nfr")


def test_nested_tar_member_reopens_after_pickling(tmp_path: Path) -> None:
    inner = tar_bytes({"pkg/app.py": FER_CODE}, "w:bz2")
    path = write(tmp_path / "outer.zip", zip_bytes({"lib/inner.tbz2": inner}))
    found = listed(tmp_path, path, ArchiveLimits(max_cached_bytes=0))
    (member,) = [a for a in found.artifacts if a.kind is ArtifactKind.PYTHON]
    assert member.path == "outer.zip!/lib/inner.tbz2!/pkg/app.py"
    copy: Artifact = pickle.loads(pickle.dumps(member))
    archives.close_archives()
    assert copy.read() == FER_CODE.encode()


def test_huge_extended_tar_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pax.tar.gz"
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        code = FER_CODE.encode()
        info = tarfile.TarInfo("pkg/app.py")
        info.size = len(code)
        archive.addfile(info, io.BytesIO(code))
        info = tarfile.TarInfo("pkg/huge.py")
        info.pax_headers = {"comment": "x" * (9 * MiB)}
        archive.addfile(info, io.BytesIO(b""))
    result = run_scan(tmp_path, path)
    assert hits(result) == {("EMO004", "pax.tar.gz!/pkg/app.py", FER_LINE)}
    (notice,) = result.notices
    assert notice.path == "pax.tar.gz"
    assert "header record" in notice.message


def test_changed_archive_is_not_read_with_stale_offsets(tmp_path: Path) -> None:
    path = write(tmp_path / "delivery.zip", zip_bytes({"pkg/app.py": FER_CODE}))
    (member,) = [a for a in listed(tmp_path, path).artifacts if a.in_archive]
    write(path, zip_bytes({"pkg/other.py": PLAIN_CODE, "pkg/app.py": PLAIN_CODE}))
    with pytest.raises(OSError, match="changed since it was listed"):
        member.read()


@pytest.mark.parametrize("name", ["delivery.zip", "delivery.tar.gz", "delivery.tar"])
def test_siblings_are_found_in_the_same_archive_folder(tmp_path: Path, name: str) -> None:
    members: Members = {
        "./model/config.json": "{}",
        "./model/preprocessor_config.json": '{"sampling_rate": 16000}',
        "./other/labels.txt": "angry\n",
    }
    data = (
        zip_bytes(members)
        if name.endswith(".zip")
        else tar_bytes(members, "w" if name.endswith(".tar") else "w:gz")
    )
    path = write(tmp_path / name, data)
    # A decoy beside the archive on disk must never be taken for the member's sibling.
    write(tmp_path / "preprocessor_config.json", b'{"image_processor_type": "ViTImageProcessor"}')
    artifacts = {a.path: a for a in listed(tmp_path, path).artifacts}
    config = artifacts[f"{name}!/model/config.json"]
    found = config.sibling("preprocessor_config.json")
    assert found is not None
    assert found.path == f"{name}!/model/preprocessor_config.json"
    assert found.kind is ArtifactKind.MODEL_CONFIG
    assert found.in_archive
    assert found.read() == b'{"sampling_rate": 16000}'
    assert config.sibling("labels.txt") is None  # another folder
    assert config.sibling("../other/labels.txt") is None
    assert config.sibling("missing.json") is None


def test_siblings_on_disk(tmp_path: Path) -> None:
    write(tmp_path / "model" / "config.json", b"{}")
    write(tmp_path / "model" / "model.safetensors", b"\x10\0\0\0\0\0\0\0{}              ")
    (tmp_path / "model" / "link.json").symlink_to(tmp_path / "model" / "config.json")
    found = discover([tmp_path / "model"], DiscoveryOptions(), tmp_path)
    config = next(a for a in found.artifacts if a.path == "model/config.json")
    weights = config.sibling("model.safetensors")
    assert weights is not None
    assert (weights.path, weights.kind, weights.in_archive) == (
        "model/model.safetensors",
        ArtifactKind.SAFETENSORS,
        False,
    )
    assert config.sibling("link.json") is None
    assert config.sibling("nothing.json") is None


def test_hugging_face_config_reads_its_preprocessor_from_the_archive(tmp_path: Path) -> None:
    members: Members = {
        "model/config.json": json.dumps({"id2label": {"0": "neu", "1": "ang", "2": "hap", "3": "sad"}}),
        "model/preprocessor_config.json": json.dumps({"sampling_rate": 16000}),
    }
    write(tmp_path / "delivery.zip", zip_bytes(members))
    write(
        tmp_path / "preprocessor_config.json",
        json.dumps({"image_processor_type": "ViTImageProcessor"}).encode(),
    )
    result = run_scan(tmp_path, tmp_path / "delivery.zip")
    modalities = {
        e.modality.value for e in result.evidence if e.location.path == "delivery.zip!/model/config.json"
    }
    assert modalities == {"voice"}


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_reading_many_members_keeps_few_files_open(tmp_path: Path) -> None:
    members: Members = {f"pkg/m{i:04}.py": PLAIN_CODE for i in range(1000)}
    members["pkg/z.py"] = FER_CODE
    write(tmp_path / "many.zip", zip_bytes(members))
    write(tmp_path / "many.tar.gz", tar_bytes(members))
    archives.close_archives()
    before = open_fds()
    result = run_scan(tmp_path)
    assert result.files_scanned == 2 + 2 * 1001
    assert hits(result) == {("EMO004", f"many.{ext}!/pkg/z.py", FER_LINE) for ext in ("zip", "tar.gz")}
    assert open_fds() <= before + 4
    archives.close_archives()
    assert open_fds() <= before


# --- detection -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head", "fmt"),
    [
        ("a.zip", b"PK\x03\x04", ArchiveFormat.ZIP),
        ("a.whl", b"PK\x03\x04", ArchiveFormat.ZIP),
        ("a.jar", b"PK\x03\x04", ArchiveFormat.ZIP),
        ("a.nupkg", b"PK\x03\x04", ArchiveFormat.ZIP),
        ("empty.zip", b"PK\x05\x06", ArchiveFormat.ZIP),
        ("a.zip", b"not a zip", None),
        ("model.pt", b"PK\x03\x04", None),
        ("model.keras", b"PK\x03\x04", None),
        ("data.npz", b"PK\x03\x04", None),
        ("report.docx", b"PK\x03\x04", None),
        ("a.tar.gz", b"\x1f\x8b\x08", ArchiveFormat.TAR_GZ),
        ("a.tgz", b"BZh9", ArchiveFormat.TAR_BZ2),
        ("a.tar.xz", b"\xfd7zXZ\x00", ArchiveFormat.TAR_XZ),
        ("a.tar.gz", bytes(257) + b"ustar", ArchiveFormat.TAR),
        ("a.tar", b"", ArchiveFormat.TAR),
        ("a.gz", b"\x1f\x8b\x08", None),  # one compressed file, not an archive
    ],
)
def test_detect_format(name: str, head: bytes, fmt: ArchiveFormat | None) -> None:
    assert detect_format(name, head) is fmt


# --- reports ---------------------------------------------------------------------------------------


def cli(cwd: Path, *args: str) -> tuple[int, str]:
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        outcome = runner.invoke(main, list(args), catch_exceptions=False)
    return outcome.exit_code, outcome.stdout


def test_cli_sarif_points_into_the_archive_and_validates(tmp_path: Path, multitool: Path) -> None:
    project = tmp_path / "vendor"
    write(project / "delivery.zip", zip_bytes({"pkg/app.py": FER_CODE}))
    code, out = cli(project, "scan", "delivery.zip", "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    (result,) = log["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "delivery.zip!/pkg/app.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == FER_LINE
    sarif = tmp_path / "delivery.sarif"
    sarif.write_text(out, encoding="utf-8")
    report, console = _validate(multitool, [sarif], tmp_path / "validation.sarif")
    problems = [(level, rule) for _, level, rule in _findings(report) if level in ("error", "warning")]
    assert problems == [], console


# --- hostile bytes ---------------------------------------------------------------------------------

SEEDS = {
    "seed.zip": zip_bytes({"pkg/app.py": FER_CODE, "pkg/inner.zip": zip_bytes({"a.py": FER_CODE})}),
    "seed.tar.gz": tar_bytes({"pkg/app.py": FER_CODE, "pkg/inner.tar": tar_bytes({"a.py": FER_CODE}, "w")}),
    "seed.tar": tar_bytes({"pkg/app.py": FER_CODE, "pkg/model.onnx": b"\x08\x07" * 40}, "w"),
    "seed.tar.xz": tar_bytes({"pkg/app.py": FER_CODE}, "w:xz"),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(sorted(SEEDS)),
    edits=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=8)), max_size=4
    ),
    cut=st.floats(0.05, 1),
)
def test_damaged_archives_never_crash_listing_or_reading(
    tmp_path: Path, name: str, edits: list[tuple[float, bytes]], cut: float
) -> None:
    data = bytearray(SEEDS[name])
    for where, patch in edits:
        at = int(where * len(data))
        data[at : at + len(patch)] = patch
    path = write(tmp_path / name, bytes(data[: max(1, int(cut * len(data)))]))
    found = discover([path], DiscoveryOptions(), tmp_path)  # never raises
    assert not [n for n in found.notices if "internal error" in n.message]
    for artifact in found.artifacts:
        with suppress(OSError):  # damaged data is an unreadable file, reported by its analyzer
            artifact.read(1 << 20)
    archives.close_archives()


def test_cli_context_applies_to_archive_members(tmp_path: Path) -> None:
    write(tmp_path / "delivery.tar.gz", tar_bytes({"pkg/app.py": FER_CODE}))
    code, out = cli(
        tmp_path,
        "scan",
        "delivery.tar.gz",
        "--context",
        "workplace",
        "--subjects",
        "employees",
        "--format",
        "json",
    )
    assert code == 1
    report = json.loads(out)
    found = {(r["rule_id"], r["location"]["path"], r["location"]["line"]) for r in report["results"]}
    assert ("EMO001", "delivery.tar.gz!/pkg/app.py", FER_LINE) in found
