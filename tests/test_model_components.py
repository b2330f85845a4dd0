"""Model files through the whole pipeline: confidence reflects how many independent signals agree,
and results point at the text sidecar that proves them when there is one."""

from __future__ import annotations

import json
from pathlib import Path

import onnx
from conftest import ScanTree, only
from onnx import TensorProto, helper


def fer_onnx(labels: list[str] | None = None) -> bytes:
    """A 48x48 grayscale input and a 7-class softmax head, the FER2013 shape."""
    graph = helper.make_graph(
        [helper.make_node("Flatten", ["input"], ["flat"]), helper.make_node("Softmax", ["flat"], ["probs"])],
        "classifier",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 48, 48])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 7])],
    )
    model = helper.make_model(graph, producer_name="exporter")
    if labels is not None:
        helper.set_model_props(model, {"labels": json.dumps(labels)})
    return bytes(model.SerializeToString())


FER_LABELS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]


def test_unlabelled_fer_shaped_onnx_is_medium_confidence_face_er(scan_tree: ScanTree) -> None:
    result = scan_tree({"models/classifier.onnx": fer_onnx()})
    hit = only(result, "EMO004")
    assert hit.location.path == "models/classifier.onnx" and hit.location.line == 1
    assert hit.component is not None
    assert (hit.component.modality.value, hit.component.confidence.value) == ("face", "medium")


def test_fer_shaped_onnx_with_fer_labels_is_high_confidence(scan_tree: ScanTree) -> None:
    result = scan_tree({"models/classifier.onnx": fer_onnx(FER_LABELS)})
    hit = only(result, "EMO004")
    assert hit.component is not None and hit.component.confidence.value == "high"
    assert hit.location.logical is not None


def test_imagenet_shaped_onnx_is_not_a_finding(scan_tree: ScanTree) -> None:
    graph = helper.make_graph(
        [helper.make_node("Flatten", ["input"], ["logits"])],
        "resnet",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 224, 224])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 1000])],
    )
    data = helper.make_model(graph).SerializeToString()
    onnx.checker.check_model(onnx.load_from_string(data))
    assert scan_tree({"models/resnet50.onnx": data}).results == ()


def test_hugging_face_checkout_is_one_component_at_the_id2label_line(
    scan_tree: ScanTree, tmp_path: Path
) -> None:
    config = {
        "_name_or_path": "google/vit-base-patch16-224-in21k",
        "architectures": ["ViTForImageClassification"],
        "id2label": {str(i): label for i, label in enumerate(FER_LABELS)},
        "label2id": {label: i for i, label in enumerate(FER_LABELS)},
        "image_size": 224,
        "num_channels": 3,
    }
    text = json.dumps(config, indent=2)
    result = scan_tree(
        {
            "checkpoint/config.json": text,
            "checkpoint/preprocessor_config.json": json.dumps({"image_processor_type": "ViTImageProcessor"}),
            "checkpoint/README.md": "---\npipeline_tag: image-classification\ntags:\n- emotion\n---\n# Model\n",
        }
    )
    hit = only(result, "EMO004")
    id2label_line = text.splitlines().index('  "id2label": {') + 1
    assert (hit.location.path, hit.location.line) == ("checkpoint/config.json", id2label_line)
    assert hit.component is not None and hit.component.modality.value == "face"
    assert hit.component.confidence.value == "high"
    assert len(result.components) == 1
