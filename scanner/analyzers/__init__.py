"""Analyzers, one module per artifact kind. Each module exposes `analyze(artifact, catalog) -> FileOutcome`
and never raises for bad input: problems become Notices.

The registry maps kinds to module names so heavy modules (onnx, h5py) load only when a file needs them.
Adding an analyzer is one line here plus its module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from scanner.discovery import Artifact, ArtifactKind
from scanner.findings import FileOutcome
from scanner.signatures import Catalog

AnalyzeFn = Callable[[Artifact, Catalog], FileOutcome]

# Whether this process is one emoscan owns: its command line, or a worker of its pool. There nothing
# else runs, so the analysis may tune the process for itself: libcst's node validation off
# (cst_walk.skip_validation), the cyclic garbage collector paused during each file
# (api.analyze_artifact). A program that calls scanner.api keeps both as they were.
_owned = False


def own_process() -> None:
    global _owned
    _owned = True


def owned_process() -> bool:
    return _owned


REGISTRY: dict[ArtifactKind, str] = {
    ArtifactKind.PYTHON: "python_source",
    ArtifactKind.SETUP_PY: "python_source",
    ArtifactKind.NOTEBOOK: "notebook",
    ArtifactKind.REQUIREMENTS: "dependencies",
    ArtifactKind.PYPROJECT: "dependencies",
    ArtifactKind.SETUP_CFG: "dependencies",
    ArtifactKind.PIPFILE: "dependencies",
    ArtifactKind.CONDA_ENV: "dependencies",
    ArtifactKind.LOCKFILE: "dependencies",
    ArtifactKind.MODEL_CONFIG: "hf_config",
    ArtifactKind.MODEL_CARD: "model_card",
    ArtifactKind.LABELS: "labels_file",
    ArtifactKind.ONNX: "onnx_model",
    ArtifactKind.SAFETENSORS: "safetensors_model",
    ArtifactKind.PYTORCH_ZIP: "pickle_model",
    ArtifactKind.PICKLE: "pickle_model",
    ArtifactKind.KERAS: "keras_model",
    ArtifactKind.HDF5: "keras_model",
    ArtifactKind.TFLITE: "tflite_model",
    ArtifactKind.GGUF: "gguf_model",
    ArtifactKind.DATA_CONFIG: "data_files",
}


def analyzer_for(kind: ArtifactKind) -> AnalyzeFn | None:
    module_name = REGISTRY.get(kind)
    if module_name is None:
        return None
    module = importlib.import_module(f"scanner.analyzers.{module_name}")
    fn: AnalyzeFn = module.analyze
    return fn
