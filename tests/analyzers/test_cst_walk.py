"""The metadata-free walker and position finder agree with libcst's own visitor and PositionProvider."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from scanner.analyzers.cst_walk import Walker, children, positions, skip_validation

SAMPLES = {
    "service": '''\
"""Emotion service."""
from __future__ import annotations

import cv2 as cv
from deepface import DeepFace  # face analysis

EMOTIONS = ("angry", "disgust", "fear",
            "happy", "sad", "surprise", "neutral")


@app.route("/analyze", methods=["POST"])
@login_required
def analyze(frame, *, actions=("emotion",), **kwargs) -> dict[str, float]:
    """Run the model."""
    result = DeepFace.analyze(frame, actions=list(actions), enforce_detection=False)
    scores = {label: result[0]["emotion"][label] for label in EMOTIONS if label in result[0]["emotion"]}
    return scores if scores else {"neutral": 1.0}


class Camera:
    def __init__(self, index: int = 0):
        self.capture = cv.VideoCapture(index)

    async def frames(self):
        while (ok := self.capture.isOpened()):
            ok, frame = self.capture.read()
            yield frame
        else:
            raise RuntimeError(f"camera {self!r} closed: {'yes' if ok else 'no'}")
''',
    "unicode_and_strings": '''\
# -*- coding: utf-8 -*-
LABELS = {"生气/angry": 0, "快乐/happy": 1, "中性/neutral": 2}
text = """multi
line \\"quoted\\" string""" + r"raw\\d+" + b"bytes".decode()
émotion = f"{LABELS!r:>{10}} {'nested'}" "implicit" 'concat'
try:
    import fer
except ImportError:  # optional
    fer = None
finally:
    pass
match command.split():
    case ["go", direction] if direction in ("north", "south"):
        print(direction)
    case _:
        lambda x, /, y=1: (x, y)
''',
    "crlf_and_tabs": "import os\r\nif True:\r\n\tx = os.path.join('a',\r\n\t\t'b')\r\n\ty = [i for i in range(3) if i]\r\n",
}


def _libcst_positions(module: cst.Module) -> tuple[list[cst.CSTNode], dict[int, tuple[int, int, int, int]]]:
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    ranges = wrapper.resolve(PositionProvider)
    nodes = list(ranges)
    expected = {
        id(node): (r.start.line, r.start.column, r.end.line, r.end.column) for node, r in ranges.items()
    }
    return nodes, expected


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_positions_match_position_provider_for_every_node(name: str) -> None:
    text = SAMPLES[name]
    module = cst.parse_module(text)
    nodes, expected = _libcst_positions(module)
    wanted = [
        n for n in nodes if not isinstance(n, (cst.BaseCompoundStatement, cst.Module, cst.IndentedBlock))
    ]
    assert positions(module, text, wanted) == {id(n): expected[id(n)] for n in wanted}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_positions_of_a_few_nodes_stop_early_and_still_match(name: str) -> None:
    text = SAMPLES[name]
    module = cst.parse_module(text)
    _, expected = _libcst_positions(module)
    calls: list[cst.CSTNode] = []

    class Calls(Walker):
        def visit_Call(self, node: cst.Call) -> None:
            calls.append(node)

    Calls().walk(module)
    assert calls
    first = calls[:1]
    assert positions(module, text, first) == {id(first[0]): expected[id(first[0])]}
    assert positions(module, text, calls) == {id(c): expected[id(c)] for c in calls}


class _Recording(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(
            node, (cst.Call, cst.SimpleString, cst.Attribute, cst.Dict, cst.FunctionDef, cst.Assign)
        ):
            self.seen.append((type(node).__name__, cst.Module([]).code_for_node(node)))
        return True


class _Walking(Walker):
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def _record(self, node: cst.CSTNode) -> None:
        self.seen.append((type(node).__name__, cst.Module([]).code_for_node(node)))

    visit_Call = visit_SimpleString = visit_Attribute = visit_Dict = _record
    visit_FunctionDef = visit_Assign = _record


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_walker_visits_the_nodes_libcst_visits_in_the_same_order(name: str) -> None:
    module = cst.parse_module(SAMPLES[name])
    reference = _Recording()
    module.visit(reference)
    walking = _Walking()
    walking.walk(module)
    assert walking.seen == reference.seen
    assert len(walking.seen) > 5


def test_leave_runs_after_the_children() -> None:
    events: list[str] = []

    class Functions(Walker):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            events.append("enter " + node.name.value)

        def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
            events.append("leave " + node.name.value)

        def visit_Call(self, node: cst.Call) -> None:
            events.append("call")

    Functions().walk(cst.parse_module("def outer():\n    def inner():\n        f()\n    g()\n"))
    assert events == ["enter outer", "enter inner", "call", "leave inner", "call", "leave outer"]


def test_children_skips_punctuation_and_keeps_source_order() -> None:
    call = cst.parse_expression("model.predict(x, batch_size=32)")
    assert isinstance(call, cst.Call)
    kinds = [type(c).__name__ for c in children(call)]
    assert kinds == ["Attribute", "Arg", "Arg"]


# (tests/conftest.py gives every test libcst as installed, and puts it back afterwards.)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_unvalidated_parse_gives_libcst_s_tree(name: str) -> None:
    text = SAMPLES[name]
    validated = cst.parse_module(text)
    skip_validation()
    module = cst.parse_module(text)
    assert module.deep_equals(validated)
    assert module.code == text


def test_skip_validation_stops_node_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    skip_validation()
    validated: list[str] = []
    original = cst.Name._validate

    def counting(self: cst.Name) -> None:
        validated.append(self.value)
        original(self)

    monkeypatch.setattr(cst.Name, "_validate", counting)
    cst.parse_module("import fer\ndetector = fer.FER()\n")
    assert validated == []  # the speed-up is live with the installed libcst
    with pytest.raises(cst.ParserSyntaxError):
        cst.parse_module("def broken(:\n")  # syntax errors are the parser's, not validation's


def test_validation_is_libcst_s_own_outside_owned_processes() -> None:
    validated: list[str] = []
    original = cst.Name._validate

    def counting(self: cst.Name) -> None:
        validated.append(self.value)
        original(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cst.Name, "_validate", counting)
        cst.parse_module("import fer\n")
    assert validated == ["fer"]
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")


def test_skipping_validation_again_leaves_the_class_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The analyzer asks for it before every parse: only the first call may change the class (each
    change resets the interpreter's attribute caches of every node class)."""
    skip_validation()
    changes: list[str] = []
    meta = type(cst.CSTNode)
    original_setattr = meta.__setattr__

    def recording(cls: type, name: str, value: object) -> None:
        changes.append(name)
        original_setattr(cls, name, value)

    monkeypatch.setattr(meta, "__setattr__", recording)
    skip_validation()
    assert changes == []
