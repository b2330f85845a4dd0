"""A content-hash cache of per-file analysis outcomes, so an unchanged file is never parsed twice.

What is cached: the `FileOutcome` (evidence and notices) of one artifact, which is a pure function of
the file's bytes, its kind and display path (which the evidence carries), the signature catalogue and
the analyzer code. The key is a SHA-256 over exactly those: the file's bytes, its kind and path, the
catalogue's version and content, and the tool's version plus a digest of the scanner's own source
files (so a development checkout never reads outcomes its edited code would not produce) and the
Python version (the lexical fallback quotes CPython's syntax errors).

The same store keeps the repository pass's outcome (`analyzers/tree.py` RepositoryOutcome) under
`repository_key`: a digest of the artifact list, every analyzer's evidence and the bytes of every file
the pass reads, so it is reused only when nothing it could see has changed.

What is not cached: correlation, declarations, policy, suppressions and baselines. Deployment
declarations change verdicts, not evidence, so they are applied afresh on every run and a cached
outcome gives the verdict of the declarations in force now. Model files are not cached either: they
are read header-only (hashing them would read gigabytes) and some depend on sibling files, as do
model configs (`config.json` reads `preprocessor_config.json`); both cost milliseconds anyway.

Storage: one SQLite file (`outcomes-v1.sqlite3`) under `platformdirs.user_cache_dir("emoscan")` unless a
directory is given; never inside the scanned tree unless asked. SQLite gives atomic transactions, so
concurrent runs never see a half-written entry (a writer that cannot get the lock within a few seconds
skips writing: the cache is an optimisation, never a reason to fail). A file that is not a database,
or an entry that does not decode, is ignored and rebuilt. The size is bounded: past `max_entries`, the
least recently used entries go (use is recorded by day, so a warm run does not write at all).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import hashlib
import json
import sqlite3
import sys
import time
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from scanner import __version__
from scanner.discovery import Artifact, ArtifactKind
from scanner.findings import FileOutcome
from scanner.signatures import Catalog

FILE_NAME = "outcomes-v1.sqlite3"
DEFAULT_MAX_ENTRIES = 200_000
# Seconds a writer waits for another run's transaction before giving up on writing.
LOCK_TIMEOUT = 5.0
# SQLite's limit on variables per statement is 999 in old builds.
_BATCH = 900

# Kinds whose outcome depends on their own bytes only; see the module docstring for the others.
CACHEABLE_KINDS = frozenset(
    {
        ArtifactKind.PYTHON,
        ArtifactKind.NOTEBOOK,
        ArtifactKind.REQUIREMENTS,
        ArtifactKind.PYPROJECT,
        ArtifactKind.SETUP_CFG,
        ArtifactKind.SETUP_PY,
        ArtifactKind.PIPFILE,
        ArtifactKind.CONDA_ENV,
        ArtifactKind.LOCKFILE,
        ArtifactKind.MODEL_CARD,
        ArtifactKind.LABELS,
        ArtifactKind.DATA_CONFIG,
    }
)


# What the store holds: frozen dataclasses of findings values (a file's outcome, the repository pass's).
Stored = TypeVar("Stored")


def default_directory() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("emoscan", appauthor=False))


@functools.lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """The tool version plus a digest of the scanner package's sources and the Python version."""
    digest = hashlib.sha256(f"{__version__}\0{sys.version_info[:2]}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        try:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        except OSError:
            continue
    return digest.hexdigest()


_CATALOG_FINGERPRINTS: dict[int, tuple[Catalog, str]] = {}


def catalog_fingerprint(catalog: Catalog) -> str:
    """The catalogue's version and a digest of its content (its repr is deterministic: frozen
    dataclasses of tuples, strings and enums), so an edited catalogue with an unchanged version
    still invalidates the cache. Memoised per catalogue object, as the prefilter is."""
    cached = _CATALOG_FINGERPRINTS.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return cached[1]
    fingerprint = catalog.version + ":" + hashlib.sha256(repr(catalog).encode()).hexdigest()
    _CATALOG_FINGERPRINTS[id(catalog)] = (catalog, fingerprint)
    return fingerprint


def run_fingerprint(catalog: Catalog, engine: str = "") -> str:
    """Everything besides the file that an outcome depends on. `engine` names the prefilter's regex
    engine: both engines decide alike, but a cache must never be the place where that is tested."""
    return f"{tool_fingerprint()}|{catalog_fingerprint(catalog)}|{engine}"


def repository_key(run: str, inputs: bytes) -> bytes:
    """The key of a repository-pass outcome (see analyzers/tree.py inputs_digest)."""
    return hashlib.sha256(b"repository\0" + run.encode("utf-8", "surrogatepass") + b"\0" + inputs).digest()


def entry_key(run: str, artifact: Artifact, content_digest: bytes) -> bytes:
    """The key of one artifact's outcome; `content_digest` is the SHA-256 of its bytes."""
    digest = hashlib.sha256()
    for part in (run, artifact.kind.value, artifact.path):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(content_digest)
    return digest.digest()


class OutcomeCache:
    """The store. Open with `OutcomeCache.open(directory)`; every method swallows SQLite errors (the
    scan goes on uncached) and reports them in `problems`."""

    def __init__(self, path: Path, connection: sqlite3.Connection, max_entries: int) -> None:
        self.path = path
        self.connection: sqlite3.Connection | None = connection
        self.max_entries = max_entries
        self.problems: list[str] = []
        self.hits = 0
        self.misses = 0

    @classmethod
    def open(
        cls, directory: Path | None = None, max_entries: int = DEFAULT_MAX_ENTRIES
    ) -> OutcomeCache | None:
        """The cache in `directory` (default: the user cache directory), created when missing. A file
        that is not a usable database is removed and created again; None when even that fails."""
        folder = directory if directory is not None else default_directory()
        path = folder / FILE_NAME
        for attempt in range(2):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                return cls(path, _connect(path), max_entries)
            except (sqlite3.Error, OSError):
                if attempt == 0:
                    _remove(path)
        return None

    def get_many(self, keys: Iterable[bytes], kind: type[Stored] = FileOutcome) -> dict[bytes, Stored]:  # type: ignore[assignment]
        """The cached values of type `kind` among `keys`. Entries that do not decode count as missing."""
        wanted = list(dict.fromkeys(keys))
        found: dict[bytes, Stored] = {}
        if self.connection is None or not wanted:
            return found
        try:
            for start in range(0, len(wanted), _BATCH):
                batch = wanted[start : start + _BATCH]
                rows = self.connection.execute(
                    f"SELECT key, value, used FROM outcomes WHERE key IN ({','.join('?' * len(batch))})",
                    batch,
                ).fetchall()
                stale: list[bytes] = []
                today = _today()
                for key, value, used in rows:
                    try:
                        found[bytes(key)] = decode_value(value, kind)
                    except (ValueError, TypeError, KeyError, IndexError):
                        continue  # written by a broken run or tampered with: analysed again
                    if used != today:
                        stale.append(bytes(key))
                if stale:
                    self._touch(stale, today)
        except sqlite3.Error as exc:
            self._fail("read", exc)
        self.hits += len(found)
        self.misses += len(wanted) - len(found)
        return found

    def put_many(self, items: Mapping[bytes, object]) -> None:
        if self.connection is None or not items:
            return
        today = _today()
        rows = [(key, encode_value(value), today) for key, value in items.items()]
        try:
            with self.connection:
                self.connection.executemany("INSERT OR REPLACE INTO outcomes VALUES (?, ?, ?)", rows)
            self._prune()
        except sqlite3.Error as exc:
            self._fail("write", exc)

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self.connection.close()
            self.connection = None

    def _touch(self, keys: list[bytes], today: int) -> None:
        """Record use for the LRU bound; skipped when another run holds the lock."""
        try:
            with self.connection:  # type: ignore[union-attr]
                self.connection.executemany(  # type: ignore[union-attr]
                    "UPDATE outcomes SET used = ? WHERE key = ?", [(today, k) for k in keys]
                )
        except sqlite3.OperationalError:
            pass

    def _prune(self) -> None:
        assert self.connection is not None
        (count,) = self.connection.execute("SELECT count(*) FROM outcomes").fetchone()
        if count <= self.max_entries:
            return
        # Down to 90% so pruning does not run on every write once the bound is reached.
        excess = count - self.max_entries * 9 // 10
        with self.connection:
            self.connection.execute(
                "DELETE FROM outcomes WHERE key IN (SELECT key FROM outcomes ORDER BY used LIMIT ?)",
                (excess,),
            )

    def _fail(self, what: str, exc: sqlite3.Error) -> None:
        self.problems.append(f"cache {what} failed ({exc}); continuing without it")
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            # Corrupt (not merely busy): drop the file so the next run starts clean.
            self.close()
            _remove(self.path)
        elif what == "read":
            self.close()

    def __enter__(self) -> OutcomeCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=LOCK_TIMEOUT, isolation_level=None, check_same_thread=False)
    try:
        # WAL lets readers go on while another run writes; on file systems without shared memory
        # the default journal still gives atomic transactions.
        with contextlib.suppress(sqlite3.OperationalError):
            connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS outcomes (key BLOB PRIMARY KEY, value TEXT NOT NULL, used INTEGER NOT NULL)"
        )
        connection.execute("SELECT count(*) FROM outcomes WHERE key = x''").fetchone()  # not a database?
    except BaseException:
        connection.close()
        raise
    connection.isolation_level = "DEFERRED"  # `with connection:` is then one transaction
    return connection


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            path.with_name(path.name + suffix).unlink(missing_ok=True)


def _today() -> int:
    return int(time.time() // 86_400)


# --- codec: frozen findings values <-> JSON ------------------------------------------------------------
# Generic over the dataclasses' type hints, so a field added to Evidence or Notice is stored without
# touching this module (and the changed source digest invalidates older entries anyway).


def encode_value(value: object) -> str:
    return json.dumps(_encode(value), ensure_ascii=False, separators=(",", ":"))


def decode_value(text: str, kind: type[Stored]) -> Stored:
    value = _decoder(typing.cast(Any, kind))(json.loads(text))
    if not isinstance(value, kind):
        raise TypeError(f"expected a {kind.__name__}")
    return value


def _encode(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [_encode(getattr(value, f.name)) for f in dataclasses.fields(value)]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


Decoder = Callable[[Any], Any]


@functools.cache
def _decoder(hint: Any) -> Decoder:
    """A function turning the JSON form of a value of type `hint` back into that value; raises
    ValueError/TypeError on anything of the wrong shape."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        inner = [_decoder(o) for o in options if o is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"unsupported union {hint}")
        only = inner[0]
        return lambda raw: None if raw is None else only(raw)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda raw: tuple(item(v) for v in _list(raw))
        items = [_decoder(a) for a in args]
        return lambda raw: tuple(f(v) for f, v in zip(items, _list(raw, len(items)), strict=True))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(hint)]
        count = len(fields)

        def build(raw: Any) -> Any:
            values = _list(raw, count)
            return hint(**{name: decode(v) for (name, decode), v in zip(fields, values, strict=True)})

        return build
    if hint in (str, int, float, bool):
        return _scalar(hint)
    raise TypeError(f"unsupported type {hint}")


def _scalar(kind: type) -> Decoder:
    def check(raw: Any) -> Any:
        # bool is an int in Python and JSON keeps them apart: accept exactly the stored kind.
        if type(raw) is kind or (kind is float and type(raw) is int):
            return raw
        raise TypeError(f"expected {kind.__name__}, got {type(raw).__name__}")

    return check


def _list(raw: Any, length: int | None = None) -> list[Any]:
    if not isinstance(raw, list) or (length is not None and len(raw) != length):
        raise ValueError("cache entry has the wrong shape")
    return raw
