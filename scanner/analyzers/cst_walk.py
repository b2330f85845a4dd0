"""Walking a libcst tree, and finding where a few of its nodes are, without libcst's metadata machinery.

libcst's own `visit` rebuilds every node it passes (its visitors may replace nodes), and
`PositionProvider` generates the code of the whole module while recording a position for every node.
Measured on the emotion benchmark tree, those two cost 1.3x and 2.5x the parse itself. The analyzer
only reads the tree, and needs positions for the handful of nodes that become evidence, so:

- `Walker` visits nodes in source order by reading their fields, skipping the fields that hold only
  whitespace, brackets and punctuation (nothing the analyzer looks at lives there);
- `positions` generates code for the module while counting characters, records the spans of the
  requested nodes only, and stops as soon as the last of them is done;
- `skip_validation` turns off libcst's per-node validation (a sixth of the parse) in processes that
  only parse, where it checks what the parser already guarantees.

Spans follow `PositionProvider`'s rules (the node's syntactic extent, parentheses excluded), so
locations match what libcst reports.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
import typing
from bisect import bisect_right
from collections.abc import Collection
from typing import Any, ClassVar

import libcst as cst
from libcst._nodes.internal import CodegenState  # the codegen hook PositionProvider itself uses

# Fields that hold whitespace, comments, brackets, punctuation or plain values: never a node the
# analyzer reads.
_SKIPPED_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "comma",
        "semicolon",
        "equal",
        "colon",
        "dot",
        "relative",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "trailing_whitespace",
        "asynchronous",
        "operator",
        "encoding",
        "default_indent",
        "default_newline",
        "has_trailing_newline",
        "star",
        "posonly_ind",
        "newline",
        "indent",
        "conversion",
        "start",
        "end",
        "prefix",
        "quote",
    }
)

# Classes whose dataclass fields are not declared in source order; visiting in source order keeps
# "bound before used" and "first one wins" the same as libcst's own visitor.
_SOURCE_ORDER: dict[str, tuple[str, ...]] = {
    "FunctionDef": ("decorators", "name", "type_parameters", "params", "returns", "body"),
    "ClassDef": ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    "ExceptHandler": ("type", "name", "body"),
    "ExceptStarHandler": ("type", "name", "body"),
    "IfExp": ("body", "test", "orelse"),
    "MatchCase": ("pattern", "guard", "body"),
    "Parameters": ("posonly_params", "params", "star_arg", "kwonly_params", "star_kwarg"),
    "Arg": ("keyword", "value"),
}

# The table entry of values that are not nodes (str, None, ...): nothing to visit.
_NOTHING: Any = (None, None, (), False)

# Field types that never hold a node.
_PLAIN_TYPES = (str, bool, int)


@functools.cache
def _fields_in_order(cls: type[cst.CSTNode]) -> tuple[str, ...]:
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # an annotation libcst's module namespace cannot resolve: keep every field
        hints = {}
    names = [
        f.name
        for f in dataclasses.fields(cls)
        if f.name not in _SKIPPED_FIELDS
        and not f.name.startswith("whitespace")
        and hints.get(f.name) not in _PLAIN_TYPES
    ]
    order = _SOURCE_ORDER.get(cls.__name__)
    if order is not None:
        names.sort(key=lambda n: order.index(n) if n in order else len(order))
    return tuple(names)


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The node's children that `Walker` visits, in source order (libcst's `node.children` rebuilds
    the node to find them)."""
    out: list[cst.CSTNode] = []
    for name in _fields_in_order(type(node)):
        value = getattr(node, name)
        if isinstance(value, (tuple, list)):
            out.extend(child for child in value if isinstance(child, cst.CSTNode))
        elif isinstance(value, cst.CSTNode):
            out.append(value)
    return out


class Walker:
    """Base class: define `visit_<NodeClass>(self, node)` and `leave_<NodeClass>(self, node)`, as with
    `libcst.CSTVisitor`; call `walk(module)`. Children are always visited (no pruning)."""

    # Per Walker subclass: value class -> (visit, leave, fields, worth a call); _NOTHING for values
    # that are not nodes and for nodes with nothing to visit or descend into (names, numbers).
    _table: ClassVar[dict[type, Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._table = {}

    def _entry(self, kind: type) -> Any:
        table = type(self)._table
        entry = _NOTHING
        if isinstance(kind, type) and issubclass(kind, cst.CSTNode):
            visit = getattr(type(self), "visit_" + kind.__name__, None)
            leave = getattr(type(self), "leave_" + kind.__name__, None)
            fields = _fields_in_order(kind)
            if visit is not None or leave is not None or fields:
                entry = (visit, leave, fields, True)
        table[kind] = entry
        return entry

    def walk(self, node: cst.CSTNode) -> None:
        table = type(self)._table
        visit, leave, fields, _ = table.get(type(node)) or self._entry(type(node))
        if visit is not None:
            visit(self, node)
        for name in fields:
            value = getattr(node, name)
            if type(value) is tuple or type(value) is list:
                for child in value:
                    if (table.get(type(child)) or self._entry(type(child)))[3]:
                        self.walk(child)
            elif (table.get(type(value)) or self._entry(type(value)))[3]:
                self.walk(value)
        if leave is not None:
            leave(self, node)


# --- positions --------------------------------------------------------------------------------------

# (line, column, end line, end column): lines from 1, columns from 0, as libcst's CodePosition.
Span = tuple[int, int, int, int]

_NEWLINE = re.compile(r"\r\n?|\n")


def skip_validation() -> None:
    """Stop libcst validating each node as it is built, for the rest of this process. Every node's
    `__post_init__` (defined once, on `CSTNode`) runs `_validate`, which guards trees that code
    assembles; a parsed tree is valid by construction (libcst's own comment there names skipping it
    for parsing as the better design), and the check is a sixth of the parse. Only for processes
    emoscan owns (see `scanner.analyzers.own_process`): switching it on and off around each parse
    would cost most of the gain, as every change to the class resets the interpreter's attribute
    caches of all its subclasses; for the same reason a second call changes nothing. A libcst without
    that hook is left as it is."""
    if cst.CSTNode.__dict__.get("__post_init__") not in (None, _no_validation):
        cst.CSTNode.__post_init__ = _no_validation  # type: ignore[method-assign]


def _no_validation(self: cst.CSTNode) -> None:
    return None


class _AllFound(Exception):
    """Raised from inside code generation once every requested node has its span."""


class _NullContext(contextlib.AbstractContextManager[None]):
    def __exit__(self, *exc: object) -> None:
        return None


_NULL_CONTEXT = _NullContext()


class _Recorder(contextlib.AbstractContextManager[None]):
    """The syntactic span of one target node; statements take their start or end from a child."""

    def __init__(self, state: _OffsetState, node_id: int, start_id: int | None, end_id: int | None) -> None:
        self.state = state
        self.node_id = node_id
        self.start_id = start_id
        self.end_id = end_id
        self.start = state.offset

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            return
        spans = self.state.spans
        start = spans[self.start_id][0] if self.start_id is not None else self.start
        end = spans[self.end_id][1] if self.end_id is not None else self.state.offset
        spans[self.node_id] = (start, end)


class _OffsetState(CodegenState):
    """Code generation that keeps no text, only the character offset, and records start and end
    offsets of the target nodes."""

    def __init__(self, module: cst.Module, targets: set[int]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = 0
        self.targets = targets
        self.remaining = len(targets)
        self.opened: dict[int, int] = {}
        self.spans: dict[int, tuple[int, int]] = {}

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        pass  # only at the very end of the module, after every node

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.targets:
            self.opened[id(node)] = self.offset

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key not in self.targets:
            return
        start = self.opened.pop(key)
        # A syntactic span recorded while the node generated its code wins (as in PositionProvider);
        # otherwise the span includes the node's own whitespace.
        self.spans.setdefault(key, (start, self.offset))
        self.remaining -= 1
        if self.remaining == 0:
            raise _AllFound

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> contextlib.AbstractContextManager[None]:
        if id(node) not in self.targets:
            return _NULL_CONTEXT
        # Statements borrow their start or end from a child (the last small statement of a line):
        # that child becomes a target too; it generates its code inside this context.
        for helper in (start_node, end_node):
            if helper is not None and id(helper) not in self.targets:
                self.targets.add(id(helper))
                self.remaining += 1
        return _Recorder(
            self,
            id(node),
            id(start_node) if start_node is not None else None,
            id(end_node) if end_node is not None else None,
        )


def positions(module: cst.Module, text: str, nodes: Collection[cst.CSTNode]) -> dict[int, Span]:
    """The spans of `nodes` (by id) in `module`, which was parsed from `text`."""
    targets = {id(node) for node in nodes}
    if not targets:
        return {}
    state = _OffsetState(module, set(targets))
    # Deep trees are bounded by the analyzer's nesting checks before the parse.
    with contextlib.suppress(_AllFound):
        module._codegen(state)
    starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]

    def place(offset: int) -> tuple[int, int]:
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1]

    out: dict[int, Span] = {}
    for key, (start, end) in state.spans.items():
        if key in targets:
            out[key] = (*place(start), *place(end))
    return out
