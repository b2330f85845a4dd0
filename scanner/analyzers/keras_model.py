"""Keras models: v3 `.keras` zip archives (their `config.json`) and HDF5 `.h5` files (the `model_config`
root attribute, or for weights-only files the layer names and weight shapes).

The model is never built: the config is JSON read as data, and HDF5 datasets are asked for their shape,
not their values. h5py is an optional dependency; without it an HDF5 file gets its name checked and a
notice that says how to install it.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from scanner.analyzers.labels_file import parse_label_lines
from scanner.analyzers.model_common import (
    MAX_EMBEDDED_JSON,
    Fingerprint,
    LabelSource,
    ModelFacts,
    ModelFormatError,
    NameSource,
    Place,
    build_evidence,
    error_notice,
    fer_fingerprint,
    file_name_evidence,
    identifier_term,
    image_layout,
    is_generic_labels,
    load_json,
    missing_dependency,
    modality_from_input,
    zip_directory_problem,
)
from scanner.discovery import HDF5_MAGIC, Artifact
from scanner.findings import EvidenceKind, FileOutcome, Modality, NoticeKind
from scanner.signatures import Catalog

MAX_LAYERS = 20_000
MAX_DEPTH = 8
MAX_ASSET_BYTES = 64 * 1024
MAX_H5_OBJECTS = 20_000
MAX_ARCHIVE_ENTRIES = 100_000  # a .keras zip holds a config, metadata, weights and assets
_TEXT_LAYERS = frozenset({"Embedding", "TextVectorization"})


def analyze(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    try:
        with artifact.open() as handle:
            head = handle.read(8)
            if head.startswith(b"PK\x03\x04"):
                problem = zip_directory_problem(handle, MAX_ARCHIVE_ENTRIES)
                if problem is not None:
                    return FileOutcome(notices=(error_notice(artifact, NoticeKind.TOO_LARGE, problem),))
                try:
                    with zipfile.ZipFile(handle) as archive:
                        return analyze_archive(artifact, catalog, archive)
                except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, zlib.error) as exc:
                    message = f"not a readable Keras archive: {exc}"
                    return FileOutcome(notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, message),))
    except OSError as exc:
        message = f"cannot read file: {exc.strerror or exc}"
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.READ_ERROR, message),))
    if head.startswith(HDF5_MAGIC):
        return _hdf5(artifact, catalog)
    message = f"neither a Keras v3 archive (zip) nor an HDF5 file: it starts with {head!r}"
    return FileOutcome(notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, message),))


# --- .keras archives --------------------------------------------------------------------------------


def analyze_archive(artifact: Artifact, catalog: Catalog, archive: zipfile.ZipFile) -> FileOutcome:
    """A Keras v3 archive: config.json (the model's architecture) plus label files under assets/."""
    try:
        info = archive.getinfo("config.json")
    except KeyError:
        message = "Keras archive without config.json"
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, message),))
    if info.file_size > MAX_EMBEDDED_JSON:
        message = f"Keras config.json is {info.file_size:,} bytes, over the {MAX_EMBEDDED_JSON:,}-byte limit"
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.TOO_LARGE, message),))
    try:
        with archive.open(info) as stream:
            raw = stream.read(MAX_EMBEDDED_JSON + 1)
        config = load_json(raw, "Keras config.json")
    except ModelFormatError as exc:
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, str(exc)),))
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, ValueError, zlib.error) as exc:
        message = f"cannot read config.json from the Keras archive: {exc}"
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, message),))
    name = PurePosixPath(artifact.path).name
    facts = config_facts(config, f"{name} config.json", "config.json")
    _asset_labels(archive, facts, name)
    return FileOutcome(evidence=build_evidence(artifact, catalog, facts, EvidenceKind.MODEL_FILE))


def _asset_labels(archive: zipfile.ZipFile, facts: ModelFacts, name: str) -> None:
    """Small text files under assets/ (a label list saved with the model)."""
    for info in archive.infolist()[:10_000]:
        if not info.filename.startswith("assets/") or not info.filename.endswith(".txt"):
            continue
        if info.file_size > MAX_ASSET_BYTES:
            continue
        try:
            with archive.open(info) as stream:
                text = stream.read(MAX_ASSET_BYTES).decode("utf-8", "replace")
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, ValueError, zlib.error):
            continue
        labels = tuple(label for label, _ in parse_label_lines(text))
        if 2 <= len(labels) <= 64 and not is_generic_labels(labels):
            facts.labels.append(
                LabelSource(labels, Place(logical=info.filename), f"{name} {info.filename}", False)
            )


# --- the model config (both formats) ----------------------------------------------------------------


def config_facts(config: Any, where: str, logical: str) -> ModelFacts:
    """Input shape, last Dense layer, layer names and lookup vocabularies of a Keras model config."""
    facts = ModelFacts()
    if not isinstance(config, dict):
        return facts
    layers = list(_layers(config))
    input_shape = _input_shape(config, layers)
    if input_shape is not None:
        facts.set_modality(modality_from_input("", input_shape, False), f"input shape {input_shape}")
    if any(str(layer.get("class_name")) in _TEXT_LAYERS for layer in layers):
        facts.set_modality(Modality.TEXT, "text embedding layer")
    classes = _output_units(config, layers)
    layout = image_layout(input_shape) if input_shape is not None else None
    if layout is not None:
        fingerprint = fer_fingerprint(
            layout[0], layout[1], layout[2], classes, Place(logical=f"{logical} layers"), f"{where} model"
        )
        if fingerprint is not None:
            facts.fingerprints.append(fingerprint)
    model_name = _layer_config(config).get("name")
    if isinstance(model_name, str):
        facts.names.append(NameSource(model_name, Place(logical=f"{logical} name"), f"{where} model name"))
    hits = 0
    for layer in layers:
        layer_config = _layer_config(layer)
        layer_name = layer_config.get("name") or layer.get("name")
        if isinstance(layer_name, str) and hits < 64 and identifier_term(layer_name) is not None:
            hits += 1
            place = Place(logical=f"{logical} layer {layer_name}")
            facts.names.append(NameSource(layer_name, place, f"{where} layer name"))
        vocabulary = layer_config.get("vocabulary")
        if isinstance(vocabulary, list) and all(isinstance(v, str) for v in vocabulary):
            place = Place(logical=f"{logical} layer {layer_name} vocabulary")
            own = bool(layer_config.get("invert"))  # an inverted lookup maps output ids to labels
            facts.labels.append(
                LabelSource(tuple(vocabulary), place, f"{where} {layer_name} vocabulary", own)
            )
    return facts


def _layer_config(layer: dict[str, Any]) -> dict[str, Any]:
    config = layer.get("config")
    return config if isinstance(config, dict) else {}


def _layers(config: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every layer in model order, nested models (a Sequential inside a Functional) flattened."""
    stack: list[tuple[list[Any], int]] = [(_layer_config(config).get("layers") or [], 0)]
    count = 0
    while stack:
        items, depth = stack.pop()
        if not isinstance(items, list):
            continue
        for index, layer in enumerate(items):
            if not isinstance(layer, dict):
                continue
            count += 1
            if count > MAX_LAYERS:
                return
            nested = _layer_config(layer).get("layers")
            if isinstance(nested, list) and depth < MAX_DEPTH:
                # Visit the nested model's layers in place, then the rest of this list.
                stack.append((items[index + 1 :], depth))
                stack.append((nested, depth + 1))
                yield layer
                break
            yield layer


def _input_shape(config: dict[str, Any], layers: list[dict[str, Any]]) -> list[int | str | None] | None:
    candidates: list[Any] = []
    build = config.get("build_config")
    if isinstance(build, dict):
        candidates.append(build.get("input_shape"))
    candidates.append(_layer_config(config).get("build_input_shape"))
    for layer in layers[:4]:
        layer_config = _layer_config(layer)
        candidates.extend((layer_config.get("batch_shape"), layer_config.get("batch_input_shape")))
    for shape in candidates:
        if isinstance(shape, list) and shape and all(d is None or isinstance(d, int) for d in shape):
            return list(shape)
    return None


def _output_units(config: dict[str, Any], layers: list[dict[str, Any]]) -> int | None:
    """Units of the output Dense layer: the first named output layer that is Dense, else the last Dense."""
    dense = {
        str(_layer_config(layer).get("name")): _layer_config(layer).get("units")
        for layer in layers
        if str(layer.get("class_name")) == "Dense"
    }
    outputs = _layer_config(config).get("output_layers")
    if isinstance(outputs, list):
        for item in outputs:
            units = dense.get(str(item[0])) if isinstance(item, list) and item else None
            if isinstance(units, int):
                return units
    found = [u for u in dense.values() if isinstance(u, int)]
    return found[-1] if found else None


# --- HDF5 -------------------------------------------------------------------------------------------


# libhdf5 is native code: a malformed file can make it loop for ever (the fuzzer found one that spins for
# minutes) or crash the process. HDF5 files are read in a child process under this bound; the child
# sends back plain JSON, never a pickle, so even a child taken over by a hostile file cannot hand this
# process anything but data.
HDF5_SECONDS = 5.0
_MAX_REPLY_BYTES = 16 * 1024 * 1024


def _hdf5(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    try:
        import h5py  # noqa: F401  (optional: the [models] extra)
    except ImportError:
        notice = missing_dependency(artifact, "h5py", "HDF5 (.h5) Keras models")
        return FileOutcome(
            evidence=tuple(file_name_evidence(artifact, catalog, Modality.UNKNOWN)), notices=(notice,)
        )
    name = PurePosixPath(artifact.path).name
    status, value = _read_hdf5_isolated(artifact, name)
    if status != "facts":
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, str(value)),))
    if value is None:
        return FileOutcome()  # an HDF5 data file, not a Keras model
    try:
        facts = _facts_from_json(value)
    except (KeyError, TypeError, ValueError):
        message = "the HDF5 reader gave an unreadable answer"
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, message),))
    return FileOutcome(evidence=build_evidence(artifact, catalog, facts, EvidenceKind.MODEL_FILE))


def _read_hdf5(artifact: Artifact, name: str) -> tuple[str, Any]:
    """("facts", facts as JSON data or None) or ("error", message)."""
    import h5py

    try:
        with artifact.open() as handle, h5py.File(handle, "r") as h5:
            facts = _h5_facts(h5, name)
    except ModelFormatError as exc:
        return "error", str(exc)
    except Exception as exc:  # libhdf5 reports hostile files with many exception types; none may escape
        return "error", f"not a readable HDF5 file: {type(exc).__name__}: {exc}"
    return "facts", None if facts is None else _facts_to_json(facts)


def _hdf5_child(sender: Any, artifact: Artifact, name: str) -> None:
    try:
        reply = _read_hdf5(artifact, name)
    except BaseException as exc:  # the child must always answer
        reply = ("error", f"not a readable HDF5 file: {type(exc).__name__}")
    sender.send_bytes(json.dumps(reply).encode("utf-8"))
    sender.close()


def _read_hdf5_isolated(artifact: Artifact, name: str) -> tuple[str, Any]:
    import multiprocessing

    if multiprocessing.current_process().daemon:  # a daemonic process may not start children
        return _read_hdf5(artifact, name)
    use_fork = sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if use_fork else None)
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_hdf5_child, args=(sender, artifact, name), daemon=True)
    try:
        process.start()
        sender.close()
        if not receiver.poll(HDF5_SECONDS):
            process.kill()
            return "error", (
                f"reading the HDF5 metadata took over {HDF5_SECONDS:.0f} s (a malformed file can make the "
                "HDF5 library loop); stopped"
            )
        try:
            reply = json.loads(receiver.recv_bytes(_MAX_REPLY_BYTES))
        except (EOFError, OSError, ValueError):
            process.join(HDF5_SECONDS)
            return "error", f"the HDF5 library crashed reading this file (exit code {process.exitcode})"
        if not (isinstance(reply, list) and len(reply) == 2 and reply[0] in ("facts", "error")):
            return "error", "the HDF5 reader gave an unreadable answer"
        return reply[0], reply[1]
    finally:
        receiver.close()
        process.join(1.0)
        if process.is_alive():
            process.kill()
            process.join()


def _place_json(place: Place) -> list[Any]:
    return [place.logical, place.line, place.column]


def _place(value: Any) -> Place:
    logical, line, column = value
    return Place(logical=logical if isinstance(logical, str) else None, line=int(line), column=int(column))


def _facts_to_json(facts: ModelFacts) -> dict[str, Any]:
    return {
        "labels": [
            [list(s.labels), _place_json(s.place), s.description, s.own_outputs] for s in facts.labels
        ],
        "names": [[s.text, _place_json(s.place), s.description, s.prose] for s in facts.names],
        "fingerprints": [
            [f.signature_id, f.summary, _place_json(f.place), f.modality.value] for f in facts.fingerprints
        ],
        "modality": facts.modality.value,
        "modality_reason": facts.modality_reason,
        "check_file_name": facts.check_file_name,
    }


def _facts_from_json(value: Any) -> ModelFacts:
    """The child's answer back into facts, every field converted to its type."""
    facts = ModelFacts(check_file_name=bool(value["check_file_name"]))
    facts.modality = Modality(value["modality"])
    facts.modality_reason = str(value["modality_reason"])
    for labels, place, description, own in value["labels"]:
        facts.labels.append(
            LabelSource(tuple(str(x) for x in labels), _place(place), str(description), bool(own))
        )
    for text, place, description, prose in value["names"]:
        facts.names.append(NameSource(str(text), _place(place), str(description), bool(prose)))
    for signature_id, summary, place, modality in value["fingerprints"]:
        facts.fingerprints.append(
            Fingerprint(str(signature_id), str(summary), _place(place), Modality(modality))
        )
    return facts


def _h5_facts(h5: Any, name: str) -> ModelFacts | None:
    attrs = h5.attrs
    if "model_config" in attrs:
        size = attrs.get_id("model_config").get_storage_size()
        if size > MAX_EMBEDDED_JSON:
            raise ModelFormatError(
                f"model_config attribute is {size:,} bytes, over the {MAX_EMBEDDED_JSON:,} limit"
            )
        raw = attrs["model_config"]
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        return config_facts(
            load_json(text, "HDF5 model_config attribute"), f"{name} model_config", "model_config"
        )
    group = h5.get("model_weights", h5)
    layer_names = _strings(group.attrs.get("layer_names"))
    if not layer_names:
        return None
    return _weights_facts(group, layer_names, name)


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    return [
        v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in list(value)[:MAX_LAYERS]
    ]


def _weights_facts(group: Any, layer_names: list[str], name: str) -> ModelFacts:
    """A weights-only Keras file: kernel shapes per layer, in model order. Keras kernels are
    [height, width, in, out] for Conv2D and [in, out] for Dense."""
    facts = ModelFacts()
    first_conv_in: int | None = None
    classes: int | None = None
    seen = 0
    for layer in layer_names:
        if layer not in group:
            continue
        for weight in _strings(group[layer].attrs.get("weight_names"))[:16]:
            seen += 1
            if seen > MAX_H5_OBJECTS or weight not in group[layer]:
                continue
            shape = tuple(group[layer][weight].shape)  # metadata only; the values stay on disk
            if len(shape) == 4 and first_conv_in is None:
                first_conv_in = int(shape[2])
            if len(shape) == 2:
                classes = int(shape[1])
        if identifier_term(layer) is not None:
            facts.names.append(NameSource(layer, Place(logical=f"layer {layer}"), f"{name} layer name"))
    if first_conv_in in (1, 3):
        facts.set_modality(Modality.FACE, "2-D convolution over image channels")
    if first_conv_in == 1 and classes in (7, 8):
        fingerprint = fer_fingerprint(1, 48, 48, classes, Place(logical="model_weights"), f"{name} weights")
        if fingerprint is not None:
            summary = (
                f"{name} weights: a CNN over one-channel (grayscale) images with a {classes}-class output "
                "layer, the shape of a facial-expression classifier"
            )
            facts.fingerprints.append(dataclasses.replace(fingerprint, summary=summary))
    return facts
