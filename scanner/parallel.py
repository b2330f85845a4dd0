"""Analyse every artifact of a scan, as fast as the work allows: outcomes come from the content-hash
cache when it has them, the prefilter runs here and settles the files that hold no catalogue token,
and only the rest reach an analyzer, spread over a process pool when there is enough of it.

Why each step:
- The prefilter runs in this process, before any analyzer module is imported, so a tree without
  emotion recognition never imports libcst (a tenth of a second) nor starts a pool.
- A pool pays off only above about a second of work (starting one costs 30-50 ms, and each worker
  imports libcst), so the decision is made from the size of the files that need a parse.
- Workers get the catalogue once each (the pool initializer; inherited without pickling under the
  fork start method) and receive only artifacts, which are small picklable values.
- Outcomes are placed by the artifact's position, so the result is identical whatever the number of
  workers or the order in which they finish, and identical with a warm cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.analyzers import REGISTRY, own_process
from scanner.analyzers.text import MAX_TEXT_BYTES, TextError, looks_binary, read_bytes
from scanner.discovery import Artifact, ArtifactKind
from scanner.findings import FileOutcome, Notice, NoticeKind
from scanner.signatures import Catalog

if TYPE_CHECKING:
    from concurrent.futures import Future
    from multiprocessing.context import BaseContext

AnalyzeFn = Callable[[Artifact, Catalog], FileOutcome]

# Estimated work below which a pool costs more than it saves.
POOL_THRESHOLD_SECONDS = 1.0
# libcst parse plus the evidence visitor with positions, measured on emotion-recognition modules
# (benchmarks/results.md): about 0.1 MB/s; per-file overhead covers reading and the small files.
PARSE_BYTES_PER_SECOND = 100_000
PER_FILE_SECONDS = 0.002
# The notebook analyzer reads notebooks up to this size (outputs make them large).
NOTEBOOK_LIMIT = 64 * 1024 * 1024
# Files read, hashed and prefiltered together before their bytes are dropped, so memory stays
# bounded whatever the tree's size.
BATCH_FILES = 256
BATCH_BYTES = 64 * 1024 * 1024

EMPTY = FileOutcome()
# Kinds whose analyzer starts with the prefilter: a file it rejects has an empty outcome.
PRESCREENED = frozenset({ArtifactKind.PYTHON, ArtifactKind.NOTEBOOK})


@dataclass
class Stats:
    """What happened to the artifacts, for benchmarks and tests."""

    artifacts: int = 0
    cached: int = 0
    prescreened: int = 0
    analysed: int = 0
    workers: int = 0  # 0: analysed in this process
    estimated_seconds: float = 0.0
    cache_problems: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    outcomes: list[FileOutcome]
    stats: Stats
    # With the cache: the SHA-256 of each file's bytes as read here (up to MAX_TEXT_BYTES), by path,
    # so the repository pass's cache key need not read those files again.
    digests: dict[str, bytes] = field(default_factory=dict)


def has_analyzer(kind: ArtifactKind) -> bool:
    """Whether an analyzer reads this kind, without importing it."""
    return kind in REGISTRY


def analyze_all(
    artifacts: Sequence[Artifact],
    catalog: Catalog,
    analyze: AnalyzeFn,
    *,
    jobs: int | None = None,
    use_cache: bool = False,
    cache_dir: Path | None = None,
    deadline: float | None = None,
) -> Analysis:
    """The outcome of every artifact, in the artifacts' order. `analyze` is the per-artifact function
    (it must be a module-level function so workers can import it); `jobs` caps the workers (None: one
    per available core; 1: never a pool). `deadline` (a time.monotonic() value) stops the analysis:
    files not analysed by then get a timeout notice instead of an outcome."""
    from scanner import cache as cache_module

    stats = Stats(artifacts=len(artifacts))
    outcomes: list[FileOutcome | None] = [None] * len(artifacts)
    store = cache_module.OutcomeCache.open(cache_dir) if use_cache else None
    run = cache_module.run_fingerprint(catalog, preferred_engine()) if store is not None else ""
    to_store: dict[bytes, FileOutcome] = {}
    pending: list[int] = []
    keys: dict[int, bytes] = {}
    digests: dict[str, bytes] = {}
    try:
        for batch in _batches(artifacts):
            data: dict[int, bytes] = {}
            for index in batch:
                artifact = artifacts[index]
                if not has_analyzer(artifact.kind):
                    outcomes[index] = EMPTY
                    continue
                cacheable = store is not None and artifact.kind in cache_module.CACHEABLE_KINDS
                if cacheable or artifact.kind in PRESCREENED:
                    content = _read(artifact)
                    if content is not None:
                        data[index] = content
                        if cacheable:
                            digest = hashlib.sha256(content).digest()
                            keys[index] = cache_module.entry_key(run, artifact, digest)
                            if len(content) <= MAX_TEXT_BYTES:
                                digests[artifact.path] = digest
            hits: dict[bytes, FileOutcome] = (
                store.get_many(keys[i] for i in batch if i in keys) if store is not None else {}
            )
            for index in batch:
                if outcomes[index] is not None:
                    continue
                key = keys.get(index)
                if key is not None and key in hits:
                    outcomes[index] = hits[key]
                    stats.cached += 1
                elif index in data and _prescreen_rejects(artifacts[index].kind, data[index], catalog):
                    outcomes[index] = EMPTY
                    stats.prescreened += 1
                    if key is not None:
                        to_store[key] = EMPTY
                else:
                    pending.append(index)
        stats.analysed = len(pending)
        stats.estimated_seconds = sum(estimate_seconds(artifacts[i]) for i in pending)
        workers = _workers(jobs, len(pending), stats.estimated_seconds)
        if workers >= 2:
            stats.workers = workers
            done = _run_pool([(i, artifacts[i]) for i in pending], catalog, analyze, workers, deadline)
        else:
            done = {}
            for index in pending:
                if _expired(deadline):
                    break
                done[index] = analyze(artifacts[index], catalog)
        for index, outcome in done.items():
            outcomes[index] = outcome
            # A file edited between the read above and the analyzer's own read is stored under its
            # old content's key; the next run reads the new content, misses, and analyses it again.
            if index in keys:
                to_store[keys[index]] = outcome
        for index in pending:
            if index not in done:
                outcomes[index] = timed_out(artifacts[index])
        if store is not None:
            store.put_many(to_store)
            stats.cache_problems = list(store.problems)
    finally:
        if store is not None:
            store.close()
    return Analysis([o if o is not None else EMPTY for o in outcomes], stats, digests)


def _expired(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def timed_out(artifact: Artifact) -> FileOutcome:
    return FileOutcome(
        notices=(
            Notice(
                artifact.path,
                NoticeKind.TIMEOUT,
                "not analysed: the scan's --timeout was reached before this file's turn",
            ),
        )
    )


def estimate_seconds(artifact: Artifact) -> float:
    """Rough analyzer time for one artifact that passed the prefilter."""
    if artifact.kind in PRESCREENED:
        return PER_FILE_SECONDS + artifact.size / PARSE_BYTES_PER_SECOND
    return PER_FILE_SECONDS  # model headers, dependency lists and configs: milliseconds


def preferred_engine() -> str:
    """The prefilter's regex engine, without importing it (for the cache key)."""
    from scanner.prefilter import ENGINE_VARIABLE

    if os.environ.get(ENGINE_VARIABLE) == "re" or importlib.util.find_spec("re2") is None:
        return "re"
    return "re2"


def available_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))  # honours CPU pinning and container limits
    return max(1, os.cpu_count() or 1)


def _workers(jobs: int | None, tasks: int, seconds: float) -> int:
    if jobs == 1 or tasks < 2 or seconds < POOL_THRESHOLD_SECONDS:
        return 0
    return min(jobs if jobs is not None else available_cores(), tasks)


def _batches(artifacts: Sequence[Artifact]) -> Iterator[list[int]]:
    batch: list[int] = []
    size = 0
    for index, artifact in enumerate(artifacts):
        batch.append(index)
        size += min(artifact.size, NOTEBOOK_LIMIT)
        if len(batch) >= BATCH_FILES or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _read(artifact: Artifact) -> bytes | None:
    """The bytes the analyzer would read, or None when it would give a notice instead (too large,
    unreadable): such files always go to the analyzer, which words the notice."""
    limit = NOTEBOOK_LIMIT if artifact.kind is ArtifactKind.NOTEBOOK else MAX_TEXT_BYTES
    try:
        return read_bytes(artifact, limit)
    except TextError:
        return None


def _prescreen_rejects(kind: ArtifactKind, data: bytes, catalog: Catalog) -> bool:
    """True when the analyzer of `kind` would return an empty outcome after its prefilter check:
    the same tests, in the same order, as python_source.analyze and notebook.analyze."""
    from scanner import prefilter

    if kind is ArtifactKind.PYTHON:
        return not looks_binary(data) and not prefilter.matches(catalog, data)
    if kind is ArtifactKind.NOTEBOOK:
        return not prefilter.matches(catalog, data) and b"install" not in data
    return False


# --- the pool ----------------------------------------------------------------------------------------

_worker_state: tuple[Catalog, AnalyzeFn] | None = None


def _init_worker(catalog: Catalog, analyze: AnalyzeFn) -> None:
    global _worker_state
    _worker_state = (catalog, analyze)
    own_process()  # a worker only analyses, whoever started the pool


def _work(artifacts: list[Artifact]) -> list[FileOutcome]:
    assert _worker_state is not None, "worker used without its initializer"
    catalog, analyze = _worker_state
    return [analyze(artifact, catalog) for artifact in artifacts]


def _context() -> BaseContext | None:
    """fork on Linux: workers inherit the loaded catalogue, compiled prefilter and imported modules,
    so they start in milliseconds. Elsewhere the platform default (spawn), where each worker unpickles
    the catalogue once from the initializer's arguments."""
    import multiprocessing

    if sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


def _run_pool(
    tasks: list[tuple[int, Artifact]],
    catalog: Catalog,
    analyze: AnalyzeFn,
    workers: int,
    deadline: float | None = None,
) -> dict[int, FileOutcome]:
    """Outcomes by artifact index; with a `deadline`, the tasks not finished by then are left out
    (the caller gives them timeout notices) and the workers still busy are stopped."""
    # Imported here: multiprocessing costs 30 ms of start-up that most runs (no pool) never need.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures import TimeoutError as FuturesTimeout
    from concurrent.futures.process import BrokenProcessPool

    # Largest files first, so no worker is left with a big file at the end (longest-processing-time
    # scheduling); several chunks per worker keep them balanced at a small cost in messages.
    ordered = sorted(tasks, key=lambda task: (-task[1].size, task[0]))
    size = max(1, min(16, len(ordered) // (workers * 8)))
    chunks = [ordered[start : start + size] for start in range(0, len(ordered), size)]
    done: dict[int, FileOutcome] = {}
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=_context(), initializer=_init_worker, initargs=(catalog, analyze)
    )
    expired = False
    try:
        futures: list[tuple[list[tuple[int, Artifact]], Future[list[FileOutcome]]]] = [
            (chunk, pool.submit(_work, [artifact for _, artifact in chunk])) for chunk in chunks
        ]
        for chunk, future in futures:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            for (index, _), outcome in zip(chunk, future.result(timeout=remaining), strict=True):
                done[index] = outcome
    except FuturesTimeout:
        expired = True
    except BrokenProcessPool:
        # A worker died (killed for memory, or a native crash): what it had not finished is analysed
        # here, one file at a time, so the scan still completes.
        pass
    finally:
        if expired:
            # shutdown() would wait for the files the workers are busy with: stop them instead, so
            # the timeout bounds the scan. The executor keeps its processes in `_processes`.
            processes = dict(getattr(pool, "_processes", None) or {})
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes.values():
                process.terminate()
        else:
            pool.shutdown(wait=True)
    for index, artifact in tasks:
        if index not in done and not _expired(deadline):
            done[index] = analyze(artifact, catalog)
    return done
