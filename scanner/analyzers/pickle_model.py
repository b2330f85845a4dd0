"""PyTorch checkpoints: zip archives (`<root>/data.pkl`, TorchScript's `constants.pkl` and `code/`) and
legacy pickles, read with `pickletools.genops` only. Nothing is ever unpickled or imported.

The opcode stream is interpreted symbolically: a stack of plain placeholders (strings, ints, tuples,
containers, global names) that follows each opcode's documented stack effect without building any
object. That is enough to see the class names a checkpoint would import, label lists and id2label maps,
configuration strings, and the shapes passed to `torch._utils._rebuild_tensor_v2` for each state-dict key
(a grayscale first convolution, a 7-class head).

The same kind is given to every zip with a sniffed extension, so this module decides: `*/data.pkl` is
PyTorch, `config.json` + `metadata.json` is a Keras v3 archive (read by keras_model), anything else is
not ours.
"""

from __future__ import annotations

import pickletools
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any, cast

from scanner.analyzers.keras_model import analyze_archive as analyze_keras_archive
from scanner.analyzers.model_common import (
    LabelSource,
    ModelFacts,
    NameSource,
    Place,
    build_evidence,
    error_notice,
    identifier_term,
    input_from_weights,
    is_generic_labels,
    labels_from_mapping,
    modality_from_architecture,
    shard_of,
    sibling_shards,
    tensor_name_sources,
    weight_fingerprint,
    zip_directory_problem,
)
from scanner.discovery import Artifact, ArtifactKind
from scanner.findings import EvidenceKind, FileOutcome, Notice, NoticeKind
from scanner.signatures import Catalog

MAX_PICKLE_BYTES = 32 * 1024 * 1024  # bytes read from one pickle stream
MAX_OPCODES = 2_000_000
MAX_LINE = 64 * 1024  # text-protocol opcodes (GLOBAL, INT) read a line
MAX_CONTAINER_ITEMS = 4096
MAX_CONTAINERS = 100_000
MAX_MEMBERS = 100_000  # zip entries listed
MAX_STRING = 256
# torch.save's legacy format starts with this integer, then protocol, sys info, the object and keys.
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PICKLES = 5
_TENSOR_REBUILDERS = frozenset(
    {"_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_qtensor"}
)
_PARAMETER_REBUILDERS = frozenset({"_rebuild_parameter", "_rebuild_parameter_with_state"})
_DICT_TYPES = frozenset({"OrderedDict", "dict", "defaultdict"})
_LABEL_KEYS = frozenset(
    {
        "labels",
        "classes",
        "class_names",
        "label_names",
        "id2label",
        "label2id",
        "idx_to_class",
        "class_to_idx",
        "emotions",
    }
)
_NAME_KEYS = frozenset(
    {"name", "model_name", "_name_or_path", "name_or_path", "arch", "architecture", "model_type", "task",
     "finetuning_task", "description", "model_id", "repo_id", "base_model"}
)  # fmt: skip


class PickleError(Exception):
    """The opcode stream is malformed or over a bound; carries the byte position."""


class _BoundedReader:
    """What genops reads through: every read is checked against a byte budget *before* it happens, so
    a pickle claiming a 500 MB string never allocates it."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream = stream
        self._left = limit
        self._limit = limit

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > self._left:
            raise PickleError(f"pickle asks for more than the {self._limit:,}-byte read limit")
        data = self._stream.read(size)
        self._left -= len(data)
        return data

    def readline(self) -> bytes:
        line = self._stream.readline(min(MAX_LINE, self._left))
        self._left -= len(line)
        if not line.endswith(b"\n"):
            raise PickleError("text opcode argument without an end of line (or over 64 KB)")
        return line

    def tell(self) -> int:
        return self._limit - self._left


# --- symbolic values --------------------------------------------------------------------------------


class _Mark:
    pass


_MARK = _Mark()
_OPAQUE = object()


@dataclass(frozen=True)
class Global:
    module: str
    name: str


@dataclass
class Container:
    """A list, set, dict or constructed object: items and key/value pairs added to it are recorded."""

    kind: str
    items: list[Any] = field(default_factory=list)
    pairs: list[tuple[Any, Any]] = field(default_factory=list)

    def add(self, values: list[Any]) -> None:
        room = MAX_CONTAINER_ITEMS - len(self.items)
        self.items.extend(values[: max(0, room)])

    def set(self, pairs: list[tuple[Any, Any]]) -> None:
        room = MAX_CONTAINER_ITEMS - len(self.pairs)
        self.pairs.extend(pairs[: max(0, room)])


@dataclass(frozen=True)
class TensorRef:
    shape: tuple[int, ...]


@dataclass
class PickleScan:
    globals: dict[str, None] = field(default_factory=dict)
    containers: list[Container] = field(default_factory=list)
    tuples: list[tuple[Any, ...]] = field(default_factory=list)
    pickles: int = 0
    opcodes: int = 0
    error: str | None = None

    @property
    def found_anything(self) -> bool:
        filled = any(c.items or c.pairs for c in self.containers)
        return self.pickles > 0 or bool(self.globals) or filled or bool(self.tuples)


class Machine:
    """Follows one or more pickles' stack effects with placeholders. Never imports or calls anything."""

    def __init__(self, scan: PickleScan) -> None:
        self.scan = scan
        self.stack: list[Any] = []
        self.memo: dict[int, Any] = {}

    def run(self, reader: _BoundedReader) -> Any:
        """Walk one pickle to its STOP and return the placeholder it would produce."""
        self.stack.clear()
        self.memo.clear()
        try:
            for opcode, arg, pos in pickletools.genops(cast(IO[bytes], reader)):
                self.scan.opcodes += 1
                if self.scan.opcodes > MAX_OPCODES:
                    raise PickleError(f"more than {MAX_OPCODES:,} opcodes")
                if opcode.name == "STOP":
                    return self._pop(pos)
                self._step(opcode, arg, pos)
        except (ValueError, PickleError) as exc:  # genops reports malformed streams as ValueError
            raise PickleError(str(exc)) from exc
        raise PickleError("pickle ended without STOP")

    # -- stack helpers
    def _pop(self, pos: int | None) -> Any:
        if not self.stack or self.stack[-1] is _MARK:
            raise PickleError(f"stack underflow at byte {pos}")
        return self.stack.pop()

    def _pop_mark(self, pos: int | None) -> list[Any]:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index] is _MARK:
                items = self.stack[index + 1 :]
                del self.stack[index:]
                return items
        raise PickleError(f"no MARK on the stack at byte {pos}")

    def _top(self, pos: int | None) -> Any:
        if not self.stack:
            raise PickleError(f"stack underflow at byte {pos}")
        return self.stack[-1]

    def _new(self, kind: str, items: list[Any] | None = None) -> Container:
        container = Container(kind)
        if items:
            if kind == "dict":
                container.set(list(zip(items[::2], items[1::2], strict=False)))
            else:
                container.add(items)
        if len(self.scan.containers) < MAX_CONTAINERS:
            self.scan.containers.append(container)
        return container

    # -- one opcode
    def _step(self, opcode: pickletools.OpcodeInfo, arg: Any, pos: int | None) -> None:
        name = opcode.name
        handler = _HANDLERS.get(name)
        if handler is not None:
            handler(self, arg, pos)
        elif name in _PUSH_ARG:
            self.stack.append(_value(arg))
        else:
            self._generic(opcode, pos)

    def _generic(self, opcode: pickletools.OpcodeInfo, pos: int | None) -> None:
        """Any opcode without a handler: pop what it consumes, push opaque results."""
        before = opcode.stack_before
        if pickletools.markobject in before:
            self._pop_mark(pos)
            for _ in range(before.index(pickletools.markobject)):
                self._pop(pos)
        else:
            for _ in before:
                self._pop(pos)
        self.stack.extend(_OPAQUE for _ in opcode.stack_after)

    def call(self, func: Any, args: Any) -> Any:
        """What REDUCE/NEWOBJ would make, as a placeholder: a tensor's shape, a dict, or an object."""
        if isinstance(func, Global):
            if func.name in _TENSOR_REBUILDERS and isinstance(args, tuple) and len(args) >= 3:
                size = args[2]
                if isinstance(size, tuple) and all(isinstance(d, int) for d in size):
                    return TensorRef(size)
            if func.name in _PARAMETER_REBUILDERS and isinstance(args, tuple) and args[:1]:
                first = args[0]
                if isinstance(first, TensorRef):
                    return first
            if func.name in _DICT_TYPES:
                return self._new("dict")
        return self._new("object")


def _value(arg: Any) -> Any:
    if isinstance(arg, str):
        return arg if len(arg) <= MAX_STRING else _OPAQUE
    if isinstance(arg, (int, float)) or arg is None:
        return arg
    return _OPAQUE  # bytes, buffers


_PUSH_ARG = frozenset(
    {"INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "STRING", "BINSTRING", "SHORT_BINSTRING",
     "UNICODE", "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "FLOAT", "BINFLOAT", "BINBYTES",
     "SHORT_BINBYTES", "BINBYTES8", "BYTEARRAY8"}
)  # fmt: skip


def _global(machine: Machine, module: str, name: str) -> Global:
    item = Global(module, name)
    if len(machine.scan.globals) < MAX_CONTAINER_ITEMS:
        machine.scan.globals.setdefault(f"{module}.{name}", None)
    return item


def _op_global(m: Machine, arg: Any, pos: int | None) -> None:
    module, _, name = str(arg).partition(" ")
    m.stack.append(_global(m, module, name))


def _op_stack_global(m: Machine, arg: Any, pos: int | None) -> None:
    name, module = m._pop(pos), m._pop(pos)
    if isinstance(module, str) and isinstance(name, str):
        m.stack.append(_global(m, module, name))
    else:
        m.stack.append(_OPAQUE)


def _op_inst(m: Machine, arg: Any, pos: int | None) -> None:
    module, _, name = str(arg).partition(" ")
    args = m._pop_mark(pos)
    m.stack.append(m.call(_global(m, module, name), tuple(args)))


def _op_obj(m: Machine, arg: Any, pos: int | None) -> None:
    items = m._pop_mark(pos)
    if not items:
        raise PickleError(f"OBJ without a class at byte {pos}")
    m.stack.append(m.call(items[0], tuple(items[1:])))


def _op_reduce(m: Machine, arg: Any, pos: int | None) -> None:
    args, func = m._pop(pos), m._pop(pos)
    m.stack.append(m.call(func, args))


def _op_newobj_ex(m: Machine, arg: Any, pos: int | None) -> None:
    m._pop(pos)  # kwargs
    _op_reduce(m, arg, pos)


def _op_build(m: Machine, arg: Any, pos: int | None) -> None:
    m._pop(pos)  # the state dict is a container of its own and already recorded
    m._top(pos)


def _op_tuple(m: Machine, arg: Any, pos: int | None, size: int | None = None) -> None:
    items = m._pop_mark(pos) if size is None else [m._pop(pos) for _ in range(size)][::-1]
    value = tuple(items)
    if 2 <= len(value) <= 64 and all(isinstance(v, str) for v in value):
        m.scan.tuples.append(value)
    m.stack.append(value if len(value) <= 64 else _OPAQUE)


def _op_appends(m: Machine, arg: Any, pos: int | None) -> None:
    items = m._pop_mark(pos)
    target = m._top(pos)
    if isinstance(target, Container):
        target.add(items)


def _op_append(m: Machine, arg: Any, pos: int | None) -> None:
    item = m._pop(pos)
    target = m._top(pos)
    if isinstance(target, Container):
        target.add([item])


def _op_setitems(m: Machine, arg: Any, pos: int | None) -> None:
    items = m._pop_mark(pos)
    target = m._top(pos)
    if isinstance(target, Container):
        target.set(list(zip(items[::2], items[1::2], strict=False)))


def _op_setitem(m: Machine, arg: Any, pos: int | None) -> None:
    value, key = m._pop(pos), m._pop(pos)
    target = m._top(pos)
    if isinstance(target, Container):
        target.set([(key, value)])


def _op_get(m: Machine, arg: Any, pos: int | None) -> None:
    if arg not in m.memo:
        raise PickleError(f"memo key {arg} read before it was written, at byte {pos}")
    m.stack.append(m.memo[arg])


def _op_put(m: Machine, arg: Any, pos: int | None) -> None:
    if len(m.memo) < MAX_OPCODES:
        m.memo[int(arg)] = m._top(pos)


def _op_memoize(m: Machine, arg: Any, pos: int | None) -> None:
    m.memo[len(m.memo)] = m._top(pos)


_HANDLERS: dict[str, Any] = {
    "MARK": lambda m, a, p: m.stack.append(_MARK),
    "NONE": lambda m, a, p: m.stack.append(None),
    "NEWTRUE": lambda m, a, p: m.stack.append(True),
    "NEWFALSE": lambda m, a, p: m.stack.append(False),
    "EMPTY_LIST": lambda m, a, p: m.stack.append(m._new("list")),
    "EMPTY_SET": lambda m, a, p: m.stack.append(m._new("list")),
    "EMPTY_DICT": lambda m, a, p: m.stack.append(m._new("dict")),
    "EMPTY_TUPLE": lambda m, a, p: m.stack.append(()),
    "LIST": lambda m, a, p: m.stack.append(m._new("list", m._pop_mark(p))),
    "FROZENSET": lambda m, a, p: m.stack.append(m._new("list", m._pop_mark(p))),
    "DICT": lambda m, a, p: m.stack.append(m._new("dict", m._pop_mark(p))),
    "TUPLE": lambda m, a, p: _op_tuple(m, a, p),
    "TUPLE1": lambda m, a, p: _op_tuple(m, a, p, 1),
    "TUPLE2": lambda m, a, p: _op_tuple(m, a, p, 2),
    "TUPLE3": lambda m, a, p: _op_tuple(m, a, p, 3),
    "APPEND": _op_append,
    "APPENDS": _op_appends,
    "ADDITEMS": _op_appends,
    "SETITEM": _op_setitem,
    "SETITEMS": _op_setitems,
    "GET": _op_get,
    "BINGET": _op_get,
    "LONG_BINGET": _op_get,
    "PUT": _op_put,
    "BINPUT": _op_put,
    "LONG_BINPUT": _op_put,
    "MEMOIZE": _op_memoize,
    "GLOBAL": _op_global,
    "STACK_GLOBAL": _op_stack_global,
    "INST": _op_inst,
    "OBJ": _op_obj,
    "REDUCE": _op_reduce,
    "NEWOBJ": _op_reduce,
    "NEWOBJ_EX": _op_newobj_ex,
    "BUILD": _op_build,
}


def scan_pickles(stream: IO[bytes], limit: int, several: bool) -> PickleScan:
    """Walk the pickle(s) in `stream`. With `several`, a legacy torch.save file's five pickles are read
    (the raw tensor data after them is not a pickle); other files stop after their first pickle."""
    scan = PickleScan()
    reader = _BoundedReader(stream, limit)
    machine = Machine(scan)
    expected = 1
    while scan.pickles < expected:
        try:
            value = machine.run(reader)
        except PickleError as exc:
            scan.error = f"malformed pickle after {reader.tell():,} bytes: {exc}"
            break
        scan.pickles += 1
        if several and scan.pickles == 1 and value == LEGACY_MAGIC:
            expected = _LEGACY_PICKLES
    return scan


# --- facts from a walked pickle ---------------------------------------------------------------------


def pickle_facts(scan: PickleScan, where: str, place: Place) -> ModelFacts:
    facts = ModelFacts()
    shapes: dict[str, tuple[int, ...]] = {}
    labelled: set[int] = set()
    for container in scan.containers:
        for key, value in container.pairs:
            if not isinstance(key, str):
                continue
            if isinstance(value, TensorRef) and len(shapes) < 1_000_000:
                shapes[key] = value.shape
            elif key.casefold() in _LABEL_KEYS:
                labelled.add(id(value))
            elif isinstance(value, str) and key.casefold() in _NAME_KEYS:
                facts.names.append(NameSource(value, place, f"{where} {key!r}"))
    for name in scan.globals:
        facts.set_modality(modality_from_architecture(name.rsplit(".", 1)[-1]), f"class {name}")
    modality, reason, gray = input_from_weights(shapes)
    facts.set_modality(modality, reason)
    for labels, own in _label_lists(scan, labelled):
        if not is_generic_labels(labels):
            facts.labels.append(LabelSource(labels, place, f"{where} label list", own))
    for name in scan.globals:
        if identifier_term(name) is not None:
            facts.names.append(NameSource(name, place, f"{where} class"))
    fingerprint = weight_fingerprint(shapes, f"{where} state dict", place, gray)
    if fingerprint is not None:
        facts.fingerprints.append(fingerprint)
    facts.names.extend(tensor_name_sources(shapes, place, f"{where} module"))
    return facts


def _label_lists(scan: PickleScan, labelled: set[int]) -> Iterator[tuple[tuple[str, ...], bool]]:
    """String lists, string tuples and id2label/label2id-shaped dicts; `True` when the checkpoint keeps
    them under a labels key (its own output classes)."""
    for container in scan.containers:
        own = id(container) in labelled
        if container.kind == "list" and 2 <= len(container.items) <= 64:
            if all(isinstance(v, str) for v in container.items):
                yield tuple(container.items), own
        elif container.kind == "dict" and 2 <= len(container.pairs) <= 64:
            labels = labels_from_mapping(dict(container.pairs)) if _hashable_keys(container) else None
            if labels and all(isinstance(k, (int, str)) for k, _ in container.pairs):
                yield labels, own or _index_keys(container)
    for value in scan.tuples:
        yield value, id(value) in labelled


def _hashable_keys(container: Container) -> bool:
    return all(isinstance(k, (int, str)) for k, _ in container.pairs)


def _index_keys(container: Container) -> bool:
    """{0: 'angry', 1: 'disgust', ...}: an index-to-label map is a classifier's output table."""
    return all(isinstance(k, int) and isinstance(v, str) for k, v in container.pairs)


# --- entry point ------------------------------------------------------------------------------------


@dataclass
class _Read:
    """What one checkpoint file yielded: its walked pickle(s), where they sit, TorchScript code files."""

    scan: PickleScan
    where: str  # "archive/data.pkl" or "pickle"
    code_files: list[str] = field(default_factory=list)

    def merge(self, other: _Read) -> None:
        self.scan.containers.extend(other.scan.containers)
        self.scan.tuples.extend(other.scan.tuples)
        self.scan.globals.update(other.scan.globals)
        self.code_files.extend(other.code_files)


def analyze(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    """Sharded checkpoints (pytorch_model-00001-of-00003.bin) are one model: the first shard walks every
    shard and speaks for all; the others report only their own problems."""
    try:
        read = _read(artifact, catalog)
        if isinstance(read, FileOutcome):
            return read
        shard = shard_of(PurePosixPath(artifact.path).name)
        if shard is not None:
            shards = sibling_shards(artifact)
            first = shards[0] if shards else None
            if (
                shard[0] != 1
                and first is not None
                and shard_of(PurePosixPath(first.path).name) == (1, shard[1])
            ):
                return FileOutcome(notices=_notices(artifact, read))
            for other in shards:
                if other.path != artifact.path:
                    _merge_shard(read, other, catalog)
    except OSError as exc:
        message = f"cannot read file: {exc.strerror or exc}"
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.READ_ERROR, message),))
    return _outcome(artifact, catalog, read)


def _merge_shard(read: _Read, other: Artifact, catalog: Catalog) -> None:
    try:
        found = _read(other, catalog)
    except OSError:
        return  # an unreadable shard reports itself
    if isinstance(found, _Read):
        read.merge(found)


def _read(artifact: Artifact, catalog: Catalog) -> _Read | FileOutcome:
    if artifact.kind is ArtifactKind.PICKLE:
        with artifact.open() as handle:
            return _Read(scan_pickles(handle, MAX_PICKLE_BYTES, several=True), "pickle")
    return _zip(artifact, catalog)


def _notices(artifact: Artifact, read: _Read) -> tuple[Notice, ...]:
    error = read.scan.error
    if error is None:
        return ()
    if not read.scan.found_anything:
        return (error_notice(artifact, NoticeKind.PARSE_ERROR, f"{read.where}: {error}"),)
    return (error_notice(artifact, NoticeKind.PARTIAL, f"{read.where} read in part: {error}", fatal=False),)


def _outcome(artifact: Artifact, catalog: Catalog, read: _Read) -> FileOutcome:
    notices = _notices(artifact, read)
    if any(n.fatal for n in notices):
        return FileOutcome(notices=notices)
    name = PurePosixPath(artifact.path).name
    place = Place(logical=read.where)
    facts = pickle_facts(read.scan, f"{name} {read.where}", place)
    for path in read.code_files:
        stem = PurePosixPath(path).stem
        if identifier_term(stem) is not None:
            facts.names.append(NameSource(stem, Place(logical=path), f"{name} TorchScript module"))
    return FileOutcome(
        evidence=build_evidence(artifact, catalog, facts, EvidenceKind.MODEL_FILE), notices=notices
    )


def _zip(artifact: Artifact, catalog: Catalog) -> _Read | FileOutcome:
    with artifact.open() as handle:
        problem = zip_directory_problem(handle, MAX_MEMBERS)
        if problem is not None:
            return FileOutcome(notices=(error_notice(artifact, NoticeKind.TOO_LARGE, problem),))
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
            message = f"not a readable zip archive: {exc}"
            return FileOutcome(notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, message),))
        with archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                message = f"zip archive lists {len(infos):,} entries, over the {MAX_MEMBERS:,} limit"
                return FileOutcome(notices=(error_notice(artifact, NoticeKind.TOO_LARGE, message),))
            names = [info.filename for info in infos]
            data_pkl = next((n for n in names if n == "data.pkl" or _depth_one(n, "data.pkl")), None)
            if data_pkl is None:
                return _not_pytorch(artifact, catalog, archive, names)
            return _torch_zip(artifact, archive, names, data_pkl)


def _depth_one(name: str, leaf: str) -> bool:
    parts = name.split("/")
    return len(parts) == 2 and parts[1] == leaf


def _not_pytorch(
    artifact: Artifact, catalog: Catalog, archive: zipfile.ZipFile, names: list[str]
) -> FileOutcome:
    if "config.json" in names and "metadata.json" in names:
        return analyze_keras_archive(artifact, catalog, archive)  # a Keras v3 archive renamed
    torch_markers = [
        n for n in names if _depth_one(n, "version") or _depth_one(n, "byteorder") or "/data/" in n
    ]
    if torch_markers and artifact.kind is ArtifactKind.PYTORCH_ZIP:
        message = (
            f"PyTorch archive without data.pkl (it has {torch_markers[0]!r}): the checkpoint is incomplete"
        )
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, message),))
    return FileOutcome()  # some other zip


_ZIP_READ_ERRORS = (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, ValueError, zlib.error)


def _torch_zip(
    artifact: Artifact, archive: zipfile.ZipFile, names: list[str], data_pkl: str
) -> _Read | FileOutcome:
    """data.pkl, plus TorchScript's constants.pkl (constant tensors and strings) and code/ file names."""
    root = data_pkl.rsplit("/", 1)[0] + "/" if "/" in data_pkl else ""
    reads: list[_Read] = []
    for member in (data_pkl, f"{root}constants.pkl"):
        if member not in names:
            continue
        info = archive.getinfo(member)
        if info.file_size > MAX_PICKLE_BYTES:
            message = f"{member} is {info.file_size:,} bytes, over the {MAX_PICKLE_BYTES:,}-byte limit"
            return FileOutcome(notices=(error_notice(artifact, NoticeKind.TOO_LARGE, message),))
        try:
            with archive.open(info) as stream:
                reads.append(_Read(scan_pickles(stream, MAX_PICKLE_BYTES, several=False), member))
        except _ZIP_READ_ERRORS as exc:
            message = f"cannot read {member} from the archive: {exc}"
            return FileOutcome(notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, message),))
    read = reads[0]
    for extra in reads[1:]:
        read.merge(extra)
    read.code_files = [n for n in names if n.startswith(f"{root}code/") and n.endswith(".py")][:500]
    return read
