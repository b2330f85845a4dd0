"""Fuzz the model-file inspectors and the archive reader; scan the hostile corpus at full size.

  python benchmarks/fuzz.py seeds                   write the seed corpus to benchmarks/fuzz-seeds/
  python benchmarks/fuzz.py run [--budget S]        fuzz every target for S seconds each (default 60)
  python benchmarks/fuzz.py replay                  every seed and recorded crash through its target, once
  python benchmarks/fuzz.py hostile [--scale full]  build tests/hostile's corpus, scan it, time and peak RSS
  python benchmarks/fuzz.py all [--budget S]        run + hostile, recorded in benchmarks/results-fuzz.md

Engines: atheris (coverage-guided libFuzzer, `pip install atheris`) when it is installed, else a
hypothesis-driven mutator over the seeds (`--engine hypothesis` forces it). Each target runs in its own
process for its budget. A target fails on any exception out of `analyze()` (the analyzer contract says
it never raises), a notice that reports an internal error, or one input taking over HANG_SECONDS.
Inputs that fail are saved under benchmarks/fuzz-seeds/<target>/crash-<sha1>; `replay` and
tests/hostile/test_fuzz_regressions.py run them all, so every crash becomes a regression test.

Seeds are tiny files (under 10 KB each) written by `seeds` from the builders of tests/analyzers and
committed, so a run starts from real structure: an ONNX classifier with label metadata, a safetensors
header, PyTorch pickles and zips, a Keras archive and an HDF5 file, TFLite with metadata, GGUF, zips
and tars.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import platform
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.findings import FileOutcome
    from scanner.signatures import Catalog

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path(__file__).resolve().parent / "fuzz-seeds"
RESULTS = Path(__file__).resolve().parent / "results-fuzz.md"
HANG_SECONDS = 10.0
HDF5_FUZZ_SECONDS = 1.0
MAX_SEED_BYTES = 10 * 1024
FER_LABELS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]

for _path in (ROOT, ROOT / "tests" / "analyzers", ROOT / "tests" / "hostile"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))


class FuzzFailure(Exception):
    """An input that broke a target's contract (not an exception the target raised itself)."""


# --- targets -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    file_name: str  # the input is saved under this name: it decides the artifact kind or archive format
    kind: str | None  # an ArtifactKind value; None for the archive reader
    description: str


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("onnx", "model.onnx", "onnx", "ONNX protobuf wire walker"),
        Target("safetensors", "model.safetensors", "safetensors", "safetensors header reader"),
        Target("pickle", "model.pkl", "pickle", "pickle opcode walker (legacy torch.save and plain pickles)"),
        Target("pytorch-zip", "model.pt", "pytorch-zip", "PyTorch zip checkpoints (data.pkl, constants.pkl)"),
        Target("keras", "model.keras", "keras", "Keras v3 archive (config.json, assets)"),
        Target("hdf5", "model.h5", "hdf5", "Keras HDF5 through h5py (metadata only)"),
        Target("tflite", "model.tflite", "tflite", "TFLite flatbuffer and its metadata"),
        Target("gguf", "model.gguf", "gguf", "GGUF metadata key/values"),
        Target(
            "zip", "delivery.zip", None, "archive reader: zip listing, local-header recovery, member reads"
        ),
        Target("tar", "delivery.tar", None, "archive reader: plain tar"),
        Target("tar-gz", "delivery.tar.gz", None, "archive reader: gzip-compressed tar"),
        Target("hf-config", "config.json", "model-config", "Hugging Face config.json"),
        Target("model-card", "README.md", "model-card", "model card front matter"),
        Target("notebook", "analysis.ipynb", "notebook", "Jupyter notebook cells"),
        Target("pyproject", "pyproject.toml", "pyproject", "pyproject.toml dependencies (TOML positions)"),
        Target("data-yaml", "data.yaml", "data-config", "YAML configs, read line by line"),
        Target("python", "app.py", "python", "Python sources: parser guard, libcst, lexical fallback"),
    )
}


class Runner:
    """Runs inputs through one target, in a private folder, with the real catalogue."""

    def __init__(self, target: Target, workdir: Path | None = None) -> None:
        from scanner.signatures import load_catalog

        self.target = target
        base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix=f"emoscan-fuzz-{target.name}-", dir=base))
        self.path = self.workdir / target.file_name
        self.catalog: Catalog = load_catalog()
        self.executions = 0

    def __call__(self, data: bytes) -> None:
        self.executions += 1
        self.path.write_bytes(data)
        started = time.perf_counter()
        if self.target.kind is None:
            self._archive(data)
        else:
            self._analyze()
        elapsed = time.perf_counter() - started
        if elapsed > HANG_SECONDS:
            raise FuzzFailure(f"{self.target.name}: one input of {len(data):,} bytes took {elapsed:.1f} s")

    def _analyze(self) -> None:
        from scanner.analyzers import analyzer_for
        from scanner.discovery import Artifact, ArtifactKind
        from scanner.findings import FileOutcome

        kind = ArtifactKind(self.target.kind)
        analyze = analyzer_for(kind)
        assert analyze is not None
        artifact = Artifact(self.target.file_name, self.path, kind, self.path.stat().st_size)
        outcome = analyze(artifact, self.catalog)  # must never raise
        if not isinstance(outcome, FileOutcome):
            raise FuzzFailure(f"analyze() returned {type(outcome).__name__}")
        check_outcome(outcome)

    def _archive(self, data: bytes) -> None:
        from scanner import archive_formats, archives

        head = data[: archive_formats.HEAD_BYTES]
        fmt = archive_formats.detect_format(self.target.file_name, head)
        if fmt is None:
            zip_format, tar_format = archive_formats.ArchiveFormat.ZIP, archive_formats.ArchiveFormat.TAR
            fmt = zip_format if self.target.name == "zip" else tar_format
        limits = archive_formats.ArchiveLimits(
            max_total_bytes=64 * 1024 * 1024, max_nested_bytes=8 * 1024 * 1024
        )
        member_filter = archives.MemberFilter(wants_head=lambda _path: True)
        listing = archives.list_archive(self.path, self.target.file_name, fmt, limits, member_filter)
        for notice in listing.notices:
            if "internal error" in notice.message:
                raise FuzzFailure(f"listing: {notice.message}")
        try:
            for entry in listing.entries[:64]:
                try:  # damaged data is an OSError by contract; anything else is a bug
                    with archives.open_member(entry.member) as handle:
                        handle.read(1024 * 1024)
                        handle.seek(0)
                        handle.read(16)
                    archives.find_sibling(entry.member, "config.json")
                except OSError:
                    pass
        finally:
            archives.close_archives()


def check_outcome(outcome: FileOutcome) -> None:
    for notice in outcome.notices:
        if "internal error" in notice.message:
            raise FuzzFailure(notice.message)
        str(notice.message).encode("utf-8")  # every message must be writable to a report
    for evidence in outcome.evidence:
        evidence.summary.encode("utf-8")


# --- seeds ---------------------------------------------------------------------------------------------


def seed_files() -> dict[str, dict[str, bytes]]:
    """Small valid (and a few almost valid) files per target."""
    import model_builders as mb

    seeds: dict[str, dict[str, bytes]] = {name: {} for name in TARGETS}
    seeds["onnx"].update(_onnx_seeds())
    header = {
        "__metadata__": {"labels": json.dumps(FER_LABELS), "format": "pt"},
        "features.0.weight": {"dtype": "F32", "shape": [32, 1, 3, 3], "data_offsets": [0, 1152]},
        "classifier.weight": {"dtype": "F32", "shape": [7, 32], "data_offsets": [1152, 2048]},
    }
    raw = json.dumps(header).encode()
    seeds["safetensors"]["fer.safetensors"] = struct.pack("<Q", len(raw)) + raw + bytes(2048)
    raw = b'{"w": {"dtype": "F16", "shape": [2, 2], "data_offsets": [0, 8]}}'
    seeds["safetensors"]["tiny.safetensors"] = struct.pack("<Q", len(raw)) + raw + bytes(8)
    shapes = {"features.0.weight": [32, 1, 3, 3], "classifier.weight": [7, 32], "classifier.bias": [7]}
    state = mb.state_dict_pickle(shapes, {"labels": mb.p_list(FER_LABELS)})
    seeds["pickle"]["state-dict.pkl"] = state
    seeds["pickle"]["legacy-torch.pkl"] = _legacy_torch(mb.state_dict_pickle(shapes))
    seeds["pickle"]["protocol0.pkl"] = b"(dp0\nVlabels\np1\n(lp2\nVangry\np3\naVhappy\np4\nas."
    seeds["pickle"]["protocol5.pkl"] = (
        b"\x80\x05\x95\x1d\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x06labels\x94]\x94(\x8c\x05angry\x94\x8c\x03sad\x94es."
    )
    seeds["pytorch-zip"]["checkpoint.pt"] = _zip(
        {
            "archive/data.pkl": state,
            "archive/version": b"3\n",
            "archive/byteorder": b"little",
            "archive/data/0": bytes(64),
        }
    )
    seeds["pytorch-zip"]["torchscript.pt"] = _zip(
        {"m/data.pkl": state, "m/constants.pkl": mb.state_dict_pickle({}), "m/version": b"3\n",
         "m/code/__torch__/emotion_net.py": b"def forward(self, x):\n    return x\n"}
    )  # fmt: skip
    keras_config = {
        "class_name": "Sequential",
        "config": {
            "name": "emotion_cnn",
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, 48, 48, 1], "name": "in"}},
                {"class_name": "Conv2D", "config": {"name": "conv", "filters": 8}},
                {"class_name": "Dense", "config": {"name": "emotions", "units": 7}},
            ],
        },
    }
    seeds["keras"]["model.keras"] = _zip(
        {"config.json": json.dumps(keras_config).encode(), "metadata.json": b'{"keras_version": "3.0"}',
         "model.weights.h5": b"", "assets/labels.txt": "\n".join(FER_LABELS).encode()}
    )  # fmt: skip
    seeds["hdf5"].update(_hdf5_seeds(keras_config))
    metadata = mb.tflite_metadata("Emotion classifier", "Detects facial expressions", "labels.txt")
    model = mb.tflite_model([1, 48, 48, 1], [1, 7], "emotion model", metadata)
    seeds["tflite"]["fer.tflite"] = model + _zip({"labels.txt": "\n".join(FER_LABELS).encode()})
    seeds["tflite"]["plain.tflite"] = mb.tflite_model([1, 224, 224, 3], [1, 8])
    seeds["gguf"]["classifier.gguf"] = mb.gguf_file(
        {"general.architecture": "bert", "general.name": "emotion-classifier",
         "bert.classifier.output_labels": FER_LABELS, "tokenizer.ggml.tokens": ["<|HAPPY|>", "<|SAD|>", "a"]}
    )  # fmt: skip
    seeds["gguf"]["v1.gguf"] = (
        b"GGUF"
        + struct.pack("<III", 1, 0, 1)
        + struct.pack("<I", 4)
        + b"name"
        + (struct.pack("<II", 8, 3) + b"fer")
    )
    app = b"from deepface import DeepFace\nDeepFace.analyze('f.jpg', actions=['emotion'])\n"
    inner = _zip({"pkg/config.json": b'{"id2label": {"0": "angry"}}', "pkg/app.py": app})
    seeds["zip"]["delivery.zip"] = _zip(
        {"pkg/app.py": app, "pkg/labels.txt": b"angry\nsad\n", "inner.zip": inner}
    )
    seeds["zip"]["stored.zip"] = _zip({"a.py": app, "b/c.onnx": b"\x08\x07"}, zipfile.ZIP_STORED)
    seeds["zip"]["bz2.zip"] = _zip({"a.py": app}, zipfile.ZIP_BZIP2)
    seeds["zip"]["lzma.zip"] = _zip({"a.py": app}, zipfile.ZIP_LZMA)
    seeds["tar"]["delivery.tar"] = _tar({"pkg/app.py": app, "pkg/inner.zip": inner}, "w", links=True)
    seeds["tar"]["pax.tar"] = _tar({"pkg/" + "long" * 40 + ".py": app}, "w", tar_format=tarfile.PAX_FORMAT)
    seeds["hf-config"]["config.json"] = json.dumps(
        {"architectures": ["ViTForImageClassification"], "model_type": "vit", "_name_or_path": "trpakov/vit-face-expression",
         "id2label": dict(enumerate(FER_LABELS)), "label2id": {v: i for i, v in enumerate(FER_LABELS)}}, indent=2
    ).encode()  # fmt: skip
    seeds["model-card"]["README.md"] = (
        b"---\nlicense: mit\ntags:\n- image-classification\n- emotion-recognition\ndatasets: [fer2013]\n"
        b"base_model: google/vit-base-patch16-224  # the base\nmodel-index:\n- name: vit-fer\n---\n"
        b"# ViT FER\n\n## Intended uses\n\nDetects emotions from facial expressions.\n"
    )
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "source": app.decode().splitlines(True)}
    seeds["notebook"]["analysis.ipynb"] = json.dumps(
        {"cells": [cell, {"cell_type": "code", "source": "!pip install fer deepface\n%matplotlib inline\n"}],
         "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1
    ).encode()  # fmt: skip
    seeds["notebook"]["nbformat3.ipynb"] = json.dumps(
        {
            "nbformat": 3,
            "worksheets": [{"cells": [{"cell_type": "code", "input": app.decode().splitlines(True)}]}],
        }
    ).encode()
    seeds["pyproject"]["pyproject.toml"] = (
        b'[project]\nname = "vendor"\ndependencies = [\n  "deepface>=0.0.90",  # faces\n  \'fer\',\n]\n'
        b"[project.optional-dependencies]\naudio = [\"speechbrain[extra] ; python_version > '3.8'\"]\n"
        b'[tool.poetry.dependencies]\nhsemotion = { version = "^0.3", optional = true }\n'
        b'"py-feat" = """0.6"""\n[tool.emoscan]\n'
    )
    seeds["data-yaml"]["data.yaml"] = (
        b"path: ../datasets/fer\ntrain: images/train\nval: images/val\nnc: 7\nepochs: 30\n"
        b"names:\n  0: angry\n  1: disgust\n  2: fear\n  3: happy\n  4: sad\n  5: surprise\n  6: neutral\n"
        b"model: trpakov/vit-face-expression\nclasses: [angry, 'happy', \"sad\"]  # flow list\n"
    )
    seeds["python"]["app.py"] = app + (
        b"import cv2 as c\nlabels = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']\n"
        b"# DeepFace.analyze(frame, actions=['emotion'])\nx = (not not y) if z else [i for i in range(3)]\n"
    )
    seeds["python"]["python2.py"] = b"print 'hi'\nimport deepface\nexec 'x = 1'\n"
    seeds["tar-gz"]["delivery.tar.gz"] = _tar(
        {"pkg/app.py": app, "pkg/config.json": b"{}"}, "w:gz", links=True
    )
    return seeds


def _onnx_seeds() -> dict[str, bytes]:
    try:
        from onnx import TensorProto, helper
    except ImportError:
        return {}
    graph = helper.make_graph(
        [
            helper.make_node("Flatten", ["input"], ["flat"]),
            helper.make_node("Gemm", ["flat", "w"], ["logits"]),
        ],
        "emotion_ferplus",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 64, 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 8])],
        initializer=[helper.make_tensor("w", TensorProto.FLOAT, [4, 8], [0.0] * 32)],
    )
    model = helper.make_model(graph, producer_name="pytorch", doc_string="facial expression recognition")
    entry = model.metadata_props.add()
    entry.key, entry.value = "labels", json.dumps(FER_LABELS)
    classifier = helper.make_graph(
        [
            helper.make_node(
                "LinearClassifier", ["x"], ["label", "scores"], domain="ai.onnx.ml",
                classlabels_strings=FER_LABELS, coefficients=[0.0] * 14,
            ),
            helper.make_node("ZipMap", ["scores"], ["probabilities"], domain="ai.onnx.ml", classlabels_strings=FER_LABELS),
        ],
        "sklearn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
        [helper.make_tensor_value_info("label", TensorProto.STRING, [1])],
    )  # fmt: skip
    external = helper.make_tensor("w", TensorProto.FLOAT, [1], [0.0])
    external.ClearField("float_data")
    external.data_location = TensorProto.EXTERNAL
    location = external.external_data.add()
    location.key, location.value = "location", "../weights.bin"
    graph.initializer.append(external)
    return {
        "fer.onnx": model.SerializeToString(),
        "classifier.onnx": helper.make_model(classifier).SerializeToString(),
        "external.onnx": helper.make_model(graph).SerializeToString(),
    }


def _hdf5_seeds(config: dict[str, Any]) -> dict[str, bytes]:
    try:
        import h5py
        import numpy as np
    except ImportError:
        return {}
    found: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.h5"
        with h5py.File(path, "w", libver="latest") as h5:
            h5.attrs["model_config"] = json.dumps(config)
        found["config.h5"] = path.read_bytes()
        with h5py.File(path, "w", libver="latest") as h5:
            group = h5.create_group("model_weights")
            group.attrs["layer_names"] = np.array([b"conv", b"emotion_head"])
            for layer, shape in (("conv", (3, 3, 1, 8)), ("emotion_head", (8, 7))):
                sub = group.create_group(layer)
                sub.attrs["weight_names"] = np.array([b"kernel"])
                sub.create_dataset("kernel", shape=shape, dtype="f4")
        found["weights.h5"] = path.read_bytes()
    return found


def _legacy_torch(state: bytes) -> bytes:
    """torch.save's legacy format: magic number, protocol, sys info, the object, storage keys."""
    magic = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19."
    return magic + b"\x80\x02M\xe9\x03." + b"\x80\x02}q\x00." + state + b"\x80\x02]q\x00X\x01\x00\x00\x000a."


def _zip(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # reproducible seeds
            archive.writestr(info, content, compress_type=compression)
    return buffer.getvalue()


def _tar(
    files: dict[str, bytes], mode: str, links: bool = False, tar_format: int = tarfile.GNU_FORMAT
) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tar_format) as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
        if links:
            link = tarfile.TarInfo("pkg/link.py")
            link.type = tarfile.SYMTYPE
            link.linkname = "../../etc/passwd"
            archive.addfile(link)
    data = buffer.getvalue()
    return gzip.compress(data, mtime=0) if mode == "w:gz" else data  # mtime 0: reproducible seeds


def write_seeds() -> None:
    for target, files in seed_files().items():
        folder = SEEDS / target
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("seed-*"):
            old.unlink()
        for name, data in files.items():
            if len(data) > MAX_SEED_BYTES:
                raise SystemExit(f"seed {target}/{name} is {len(data):,} bytes, over {MAX_SEED_BYTES:,}")
            (folder / f"seed-{name}").write_bytes(data)
        print(f"{target}: {len(files)} seeds")


def corpus_files(target: str) -> list[Path]:
    """Committed seeds and recorded crashes of a target."""
    folder = SEEDS / target
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


# --- engines -------------------------------------------------------------------------------------------


@dataclass
class Report:
    target: str
    engine: str
    seconds: float
    executions: int = 0
    crashes: list[str] = field(default_factory=list)  # saved crash files
    new_corpus: int = 0  # inputs libFuzzer kept for new coverage
    peak_rss_mb: int | None = None
    detail: str = ""


def fuzz_target(name: str, seconds: int, engine: str) -> Report:
    """Fuzz one target in a child process for `seconds`."""
    with tempfile.TemporaryDirectory(prefix=f"emoscan-fuzz-{name}-") as folder:
        report_path = Path(folder) / "report.json"
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "_child",
            engine,
            name,
            str(seconds),
            folder,
        ]
        started = time.monotonic()
        child = subprocess.run(
            command, capture_output=True, text=True, errors="replace", timeout=seconds * 3 + 300
        )
        elapsed = time.monotonic() - started
        if engine == "atheris":
            return _atheris_report(name, elapsed, child, Path(folder))
        if not report_path.exists():
            return Report(
                name, engine, elapsed, crashes=["the fuzzing process died"], detail=child.stderr[-2000:]
            )
        data = json.loads(report_path.read_text())
        return Report(name, engine, elapsed, data["executions"], data["crashes"], detail=data["detail"])


def _atheris_report(
    name: str, elapsed: float, child: subprocess.CompletedProcess[str], folder: Path
) -> Report:
    log = child.stderr
    runs = [int(m) for m in re.findall(r"^#(\d+)", log, re.MULTILINE)]
    stat = re.search(r"stat::number_of_executed_units:\s*(\d+)", log)
    peak = re.search(r"stat::peak_rss_mb:\s*(\d+)", log)
    executions = int(stat.group(1)) if stat else max(runs, default=0)
    crashes = []
    for found in sorted((folder / "crashes").glob("*")):
        data = found.read_bytes()
        saved = SEEDS / name / f"crash-{hashlib.sha1(data).hexdigest()[:16]}"
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_bytes(data)
        crashes.append(f"{found.name.split('-')[0]}: {saved.relative_to(ROOT)}")
    detail = ""
    if child.returncode != 0 and not crashes:
        crashes.append(f"the fuzzer exited {child.returncode} without a crash file")
    if crashes:
        trace = log[log.find("Traceback") :] if "Traceback" in log else log[-3000:]
        detail = trace[:3000]
    corpus = len(list((folder / "corpus").glob("*")))
    return Report(
        name, "atheris", elapsed, executions, crashes, corpus, int(peak.group(1)) if peak else None, detail
    )


def _fuzzing_bounds(name: str) -> None:
    """Called in a fuzzing process after its imports (atheris instruments modules as they load)."""
    if name == "hdf5":
        from scanner.analyzers import keras_model

        # libhdf5 loops on many mutated files; each is stopped at the reader's bound. A shorter bound in
        # the fuzzing process keeps it moving (the bound itself is what tests/hostile checks).
        keras_model.HDF5_SECONDS = HDF5_FUZZ_SECONDS


def _workdir(folder: Path) -> Path:
    """Where a fuzzing process writes its inputs: inside the parent's temporary folder, which the parent
    removes (libFuzzer ends the process without running Python's exit handlers)."""
    work = folder / "work"
    work.mkdir(exist_ok=True)
    return work


def _child(engine: str, name: str, seconds: int, folder: Path) -> None:
    if engine == "atheris":
        _atheris_child(name, seconds, folder)
    else:
        _hypothesis_child(name, seconds, folder)


def _atheris_child(name: str, seconds: int, folder: Path) -> None:
    import atheris

    with atheris.instrument_imports(include=["scanner"]):
        import scanner.analyzers.gguf_model
        import scanner.analyzers.keras_model
        import scanner.analyzers.model_common
        import scanner.analyzers.onnx_model
        import scanner.analyzers.pickle_model
        import scanner.analyzers.safetensors_model
        import scanner.analyzers.tflite_model
        import scanner.archives
        import scanner.discovery  # noqa: F401
    _fuzzing_bounds(name)
    runner = Runner(TARGETS[name], _workdir(folder))  # inside the parent's temporary folder

    def one_input(data: bytes) -> None:
        runner(data)

    (folder / "corpus").mkdir()
    (folder / "crashes").mkdir()
    argv = [
        sys.argv[0],
        f"-max_total_time={seconds}",
        f"-timeout={int(HANG_SECONDS * 4)}",
        "-rss_limit_mb=2048",
        "-max_len=65536",
        "-print_final_stats=1",
        f"-artifact_prefix={folder / 'crashes'}/",
        str(folder / "corpus"),
        str(SEEDS / name),
    ]
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


_INTERESTING = [
    0,
    1,
    0x7F,
    0x80,
    0xFF,
    0x7FFF,
    0xFFFF,
    0x7FFFFFFF,
    0xFFFFFFFF,
    1 << 31,
    (1 << 63) - 1,
    (1 << 64) - 1,
]


def mutate(seed: bytes, operations: list[tuple[int, int, bytes]]) -> bytes:
    """Apply byte-level mutations: flip, overwrite with an interesting integer, insert, delete, cut,
    duplicate a slice."""
    data = bytearray(seed)
    for op, position, payload in operations:
        at = position % (len(data) + 1)
        if op == 0 and data:
            data[at % len(data)] ^= 1 << (position % 8)
        elif op == 1:
            value = _INTERESTING[position % len(_INTERESTING)]
            width = (1, 2, 4, 8)[(position >> 4) % 4]
            data[at : at + width] = (value & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
        elif op == 2:
            data[at:at] = payload
        elif op == 3:
            del data[at : at + 1 + len(payload) * 8]
        elif op == 4:
            del data[at:]
        elif op == 5 and data:
            end = min(len(data), at + 1 + len(payload) * 16)
            data[at:at] = data[at:end]
    return bytes(data)


def _hypothesis_child(name: str, seconds: int, folder: Path) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    _fuzzing_bounds(name)
    runner = Runner(TARGETS[name], _workdir(folder))
    seeds = [p.read_bytes() for p in corpus_files(name)] or [b""]
    operations = st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 1 << 20), st.binary(max_size=16)), max_size=6
    )
    inputs = st.one_of(
        st.tuples(st.sampled_from(seeds), operations).map(lambda pair: mutate(*pair)),
        st.binary(max_size=2048),
    )
    crashes: dict[str, str] = {}
    failing: list[bytes] = []
    deadline = time.monotonic() + seconds

    @settings(max_examples=500, database=None, deadline=None, phases=[Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(inputs)
    def property_(data: bytes) -> None:
        try:
            runner(data)
        except Exception:
            failing.append(data)
            raise

    details = []
    while time.monotonic() < deadline:
        failing.clear()
        try:
            property_()
        except Exception as exc:
            data = failing[-1] if failing else b""
            key = f"{type(exc).__name__}: {str(exc)[:200]}"
            if key not in crashes:
                saved = SEEDS / name / f"crash-{hashlib.sha1(data).hexdigest()[:16]}"
                saved.write_bytes(data)
                crashes[key] = str(saved.relative_to(ROOT))
                details.append(f"{key}\n{_traceback(exc)}")
    report = {"executions": runner.executions, "crashes": [f"{k} -> {v}" for k, v in crashes.items()],
              "detail": "\n".join(details)[:4000]}  # fmt: skip
    (folder / "report.json").write_text(json.dumps(report))


def _traceback(exc: BaseException) -> str:
    import traceback

    return "".join(traceback.format_exception(exc))[-1500:]


def replay(names: list[str]) -> list[str]:
    """Every committed seed and crash through its target; the failures."""
    failures = []
    for name in names:
        runner = Runner(TARGETS[name])
        try:
            for path in corpus_files(name):
                try:
                    runner(path.read_bytes())
                except Exception as exc:
                    failures.append(f"{path.relative_to(ROOT)}: {type(exc).__name__}: {exc}")
        finally:
            shutil.rmtree(runner.workdir, ignore_errors=True)
    return failures


# --- the hostile corpus at full size ---------------------------------------------------------------------


@dataclass
class HostileRun:
    scale: str
    build_seconds: float
    files: int
    cases: int
    reported: int
    notices: int
    results: int
    seconds: float
    peak_rss_mb: float
    exit_code: int
    tracebacks: int
    unexplained: list[str]
    jobs: str


MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[2:], stdout=open(sys.argv[1] + ".out", "w"), stderr=subprocess.PIPE, text=True)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
json.dump({"seconds": seconds, "peak_kb": peak, "code": done.returncode, "stderr": done.stderr[-5000:]},
          open(sys.argv[1], "w"))
"""


def hostile(scale_name: str, jobs: str | None, keep: Path | None) -> HostileRun:
    """Build the corpus, scan it with the command in a fresh process (peak RSS from the kernel's
    accounting of that process and its workers), and check every case against its expectation."""
    import hostile_corpus

    scale = hostile_corpus.FULL if scale_name == "full" else hostile_corpus.UNIT
    folder = Path(tempfile.mkdtemp(prefix="emoscan-hostile-", dir=keep))
    try:
        started = time.perf_counter()
        corpus = hostile_corpus.build(folder / "corpus", scale)
        built = time.perf_counter() - started
        report = folder / "measure.json"
        env = {**os.environ, "EMOSCAN_NO_CACHE": "1", "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "scanner", "scan", ".", "--format", "json"]
        if jobs:
            command += ["--jobs", jobs]
        subprocess.run(
            [sys.executable, "-c", MEASURE, str(report), *command], cwd=corpus.root, env=env, check=True
        )
        measured = json.loads(report.read_text())
        document = json.loads(Path(str(report) + ".out").read_text(encoding="utf-8"))
        notices = [(n["path"], n["kind"], n["message"], n["fatal"]) for n in document["notices"]]
        # Evidence that forms no component (a dependency alone) is not in the JSON report: the cases
        # are checked against the API's evidence, and the command's notices.
        from scanner.api import scan
        from scanner.config import Config

        evidence_paths = {
            e.location.path for e in scan([corpus.root], Config(use_cache=False), base=corpus.root).evidence
        }
        unexplained = [p for c in corpus.cases if (p := hostile_corpus.unmet(c, notices, evidence_paths))]
        reported = len(corpus.cases) - len(unexplained)
        return HostileRun(
            scale=scale.name, build_seconds=built, files=document["summary"]["files_scanned"],
            cases=len(corpus.cases), reported=reported, notices=len(notices), results=len(document["results"]),
            seconds=measured["seconds"], peak_rss_mb=measured["peak_kb"] / 1024, exit_code=measured["code"],
            tracebacks=measured["stderr"].count("Traceback"), unexplained=unexplained, jobs=jobs or "default",
        )  # fmt: skip
    finally:
        if keep is None:
            _remove(folder)


def _remove(folder: Path) -> None:
    # rmtree works through folder descriptors, so the corpus's paths past PATH_MAX are removed too;
    # a mode-000 file does not stop it (the folder's own mode is what matters).
    shutil.rmtree(folder, ignore_errors=True)


# --- results ---------------------------------------------------------------------------------------------


# Every input that ever broke a target, with what it broke and the fix (file:function). They stay in
# fuzz-seeds/ so that every later run starts from them and the regression test replays them.
CRASH_NOTES = {
    "pytorch-zip/crash-a23f47f06d01de3a": (
        "ValueError out of analyze(): a zip64 end-of-directory locator pointing past 2^63 was seeked to. "
        "Fixed in scanner/analyzers/model_common.py zip_directory_problem (the offset is bounded by the size)"
    ),
    "keras/crash-2cc5a90f37eff063": (
        "ValueError out of keras_model.analyze(): a zip64 locator offset past 2^63 was seeked to. Fixed in "
        "scanner/analyzers/model_common.py zip_directory_problem"
    ),
    "zip/crash-cd6a5054796ddb4a": (
        "internal error while listing: zipfile raises UnicodeDecodeError opening a member whose local header "
        "name is flagged UTF-8 but is not. Fixed in scanner/archives.py _DECODE_ERRORS (ValueError is damage)"
    ),
    "tar/crash-985d6702b200d8d2": (
        "internal error while listing a zip nested in a tar: zipfile raised 'negative seek value' (a "
        "ValueError) for a header offset before the file. Fixed in scanner/archives.py _DECODE_ERRORS"
    ),
    "zip/crash-130318a79613718d": (
        "found by reading the fuzzer's finding above, then confirmed: a recovered local header with an empty "
        "name made ZipInfo.is_dir() raise IndexError (internal error while listing), and a zip64 locator "
        "offset past 2^63 was seeked to. Fixed in scanner/archives.py _Lister.zip_member, "
        "_ZipContainer.find, _ZipLocalContainer._index and _zip_directory_problem"
    ),
    "hdf5/crash-21066cb7bea245ec": (
        "a hang: libhdf5 never returns on this 6 KB file (over 5 minutes, native code that Python cannot "
        "interrupt). Fixed in scanner/analyzers/keras_model.py: HDF5 is read in a child process, stopped "
        "at HDF5_SECONDS, answering in JSON (a parse-error notice names the file)"
    ),
}


def crash_section() -> list[str]:
    found = sorted(p for name in TARGETS for p in corpus_files(name) if p.name.startswith("crash-"))
    lines = [
        "",
        "## Crashes found",
        "",
        "Every input that ever failed a target, kept beside the seeds and replayed by "
        "tests/hostile/test_fuzz_regressions.py. All were fixed before the run above (hence its zero). "
        "They came from a first campaign of 30 s per target on the model and archive targets.",
        "",
        "| input | what broke, and the fix |",
        "|---|---|",
    ]
    for path in found:
        key = f"{path.parent.name}/{path.name}"
        lines.append(
            f"| `{key}` ({path.stat().st_size:,} bytes) | {CRASH_NOTES.get(key, 'not described yet')} |"
        )
    return lines


def write_results(reports: list[Report], runs: list[HostileRun], command: str) -> None:
    lines = [
        "# Fuzzing and the hostile corpus",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.system()} {platform.release()}.",
        f"Command: `{command}`.",
        "",
        "## Fuzzing",
        "",
        "Each target ran in its own process for its budget, from the seeds in `benchmarks/fuzz-seeds/<target>/`. "
        "A crash is an exception out of `analyze()` or the archive reader (whose contract is to turn bad "
        "input into notices, or OSError for member reads), a notice reporting an internal error, or one "
        f"input taking over {HANG_SECONDS:.0f} s. Crash inputs are kept beside the seeds as `crash-*` and "
        "replayed by tests/hostile/test_fuzz_regressions.py.",
        "",
        "| target | what it reads | engine | seconds | executions | exec/s | new coverage inputs | peak RSS MB | crashes |",
        "|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in reports:
        rate = r.executions / r.seconds if r.seconds else 0
        crashes = "; ".join(r.crashes) if r.crashes else "0"
        lines.append(
            f"| {r.target} | {TARGETS[r.target].description} | {r.engine} | {r.seconds:.0f} | {r.executions:,} | "
            f"{rate:,.0f} | {r.new_corpus:,} | {r.peak_rss_mb if r.peak_rss_mb is not None else '-'} | {crashes} |"
        )
    if reports:
        total = sum(r.executions for r in reports)
        lines += ["", f"Total: {total:,} executions, {sum(len(r.crashes) for r in reports)} crashes."]
    lines += crash_section()
    details = [r for r in reports if r.detail]
    for r in details:
        lines += ["", f"### {r.target}", "", "```", r.detail.strip(), "```"]
    if runs:
        lines += [
            "",
            "## Full scan of the hostile corpus",
            "",
            "`tests/hostile/hostile_corpus.py` built at the scale shown, then `emoscan scan . --format json` in a "
            "fresh process. Peak RSS is the kernel's high-water mark of the largest process of the scan (the "
            "command, or a worker when it starts a pool), read with getrusage(RUSAGE_CHILDREN) by a parent "
            "that does nothing else. *reported* counts cases whose file got the expected notice or evidence.",
            "",
            "| scale | jobs | corpus build s | files | cases | reported | notices | results | scan s | peak RSS MB | exit | tracebacks |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for h in runs:
            lines.append(
                f"| {h.scale} | {h.jobs} | {h.build_seconds:.1f} | {h.files:,} | {h.cases} | {h.reported} | "
                f"{h.notices:,} | {h.results} | {h.seconds:.1f} | {h.peak_rss_mb:.0f} | {h.exit_code} | {h.tracebacks} |"
            )
        for h in runs:
            if h.unexplained:
                lines += [
                    "",
                    f"Cases not reported as expected at {h.scale} scale: " + ", ".join(h.unexplained),
                ]
        lines += [
            "",
            "Exit code 2 is the contract's answer to the corpus's deliberately malformed deployment "
            "declaration (`cfg/decl/emoscan.toml`, EMO008); the issue's bound is 500 MB peak RSS.",
        ]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


def _engine(requested: str | None) -> str:
    if requested:
        return requested
    try:
        import atheris  # noqa: F401
    except ImportError:
        return "hypothesis"
    return "atheris"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["_child"]:
        _child(args[1], args[2], int(args[3]), Path(args[4]))
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=("seeds", "run", "replay", "hostile", "all"))
    parser.add_argument("--budget", type=int, default=60, help="seconds per target (default 60)")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated targets")
    parser.add_argument("--engine", choices=("atheris", "hypothesis"), help="default: atheris when installed")
    parser.add_argument("--scale", choices=("unit", "full"), default="full", help="hostile corpus sizes")
    parser.add_argument("--jobs", help="--jobs for the hostile scan (default: the command's own choice)")
    parser.add_argument("--keep", type=Path, help="build the hostile corpus under this folder and keep it")
    options = parser.parse_args(args)
    names = [n for n in options.targets.split(",") if n]
    unknown = set(names) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    if options.command == "seeds":
        write_seeds()
        return 0
    if options.command == "replay":
        failures = replay(names)
        print(
            "\n".join(failures) or f"replayed {sum(len(corpus_files(n)) for n in names)} inputs: no failure"
        )
        return 1 if failures else 0
    reports: list[Report] = []
    runs: list[HostileRun] = []
    if options.command in ("run", "all"):
        engine = _engine(options.engine)
        for name in names:
            report = fuzz_target(name, options.budget, engine)
            print(
                f"{name}: {report.executions:,} executions in {report.seconds:.0f} s, {len(report.crashes)} crashes"
            )
            reports.append(report)
    if options.command in ("hostile", "all"):
        for jobs in (options.jobs, "1") if options.jobs != "1" else ("1",):
            run = hostile(options.scale, jobs, options.keep)
            print(
                f"hostile ({run.scale}, jobs {run.jobs}): {run.files:,} files, {run.reported}/{run.cases} cases "
                f"reported, {run.seconds:.1f} s, peak RSS {run.peak_rss_mb:.0f} MB, exit {run.exit_code}"
            )
            runs.append(run)
    write_results(reports, runs, "python benchmarks/fuzz.py " + " ".join(args))
    failed = any(r.crashes for r in reports) or any(h.tracebacks or h.unexplained for h in runs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
