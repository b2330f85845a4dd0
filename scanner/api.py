"""The scan pipeline as one function: discover -> analyze -> correlate -> policy.

No I/O beyond reading the inputs; the CLI prints and picks exit codes.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner import __version__, suppressions
from scanner.analyzers import analyzer_for, owned_process
from scanner.analyzers.text import MAX_TEXT_BYTES
from scanner.analyzers.tree import RepositoryOutcome, inputs_digest, repository_pass
from scanner.baseline import LineReader, load_baseline, new_results, render_baseline
from scanner.config import Config, deployment_lookup
from scanner.correlate import correlate
from scanner.declarations import Declarations, check_overlaps, declaration_files, from_cli, load_file, merge
from scanner.discovery import Artifact, ArtifactKind, DiscoveryOptions, discover
from scanner.findings import Evidence, FileOutcome, Notice, NoticeKind, ScanResult
from scanner.parallel import analyze_all, has_analyzer
from scanner.policy import evaluate, problem_results
from scanner.signatures import Catalog, load_catalog

# Artifacts whose lines can carry a suppression comment and key a baseline fingerprint.
TEXT_KINDS = frozenset(
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
        ArtifactKind.MODEL_CONFIG,
        ArtifactKind.MODEL_CARD,
        ArtifactKind.LABELS,
        ArtifactKind.DATA_CONFIG,
    }
)


class NothingToScan(Exception):
    """No path given exists."""


@dataclass(frozen=True)
class Inputs:
    artifacts: tuple[Artifact, ...]
    notices: tuple[Notice, ...]
    missing: tuple[str, ...]


def collect(paths: Sequence[Path], config: Config, base: Path | None = None) -> Inputs:
    options = DiscoveryOptions(
        include_vendored=config.include_vendored,
        respect_gitignore=config.respect_gitignore,
        exclude=config.exclude,
    )
    found = discover(list(paths), options, base)
    return Inputs(tuple(found.artifacts), tuple(found.notices), tuple(found.missing))


def analyze_artifact(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    """Run the analyzer for one artifact. Analyzers turn bad input into notices themselves; anything
    that still escapes is a bug, reported as a notice for that file so the scan goes on."""
    analyze = analyzer_for(artifact.kind)
    if analyze is None:
        return FileOutcome()
    # One file's analysis makes many short-lived objects without cycles (syntax trees), which
    # reference counting frees; the cyclic collector, started every few hundred allocations, would
    # walk the whole heap again and again meanwhile (a tenth of the Python analysis, measured). In
    # processes emoscan owns it waits until the file is done.
    pause_gc = owned_process() and gc.isenabled()
    if pause_gc:
        gc.disable()
    try:
        return analyze(artifact, catalog)
    except Exception as exc:  # the last line of defence: one file never stops a scan
        return FileOutcome(
            notices=(
                Notice(
                    artifact.path,
                    NoticeKind.PARSE_ERROR,
                    f"internal error while analysing ({type(exc).__name__}: {exc}); please report it",
                ),
            )
        )
    finally:
        if pause_gc:
            gc.enable()


def scan(
    paths: Sequence[Path],
    config: Config | None = None,
    catalog: Catalog | None = None,
    base: Path | None = None,
) -> ScanResult:
    """Scan `paths`; report paths are relative to `base` (default: the current folder)."""
    config = config or Config()
    return _pipeline(paths, config, catalog or load_catalog(), base or Path.cwd())[0]


def _repository_pass(
    artifacts: Sequence[Artifact],
    evidence: list[Evidence],
    catalog: Catalog,
    library_only: Mapping[str, bool | None],
    config: Config,
    content_digests: Mapping[str, bytes] | None = None,
) -> RepositoryOutcome:
    """The repository pass, from the cache when nothing it reads has changed since the last run
    (`content_digests`: the files the analysis already read and hashed, see inputs_digest)."""
    if not config.use_cache:
        return repository_pass(artifacts, evidence, catalog, library_only)
    from scanner import cache
    from scanner.parallel import preferred_engine

    store = cache.OutcomeCache.open(config.cache_dir)
    if store is None:
        return repository_pass(artifacts, evidence, catalog, library_only)
    with store:
        run = cache.run_fingerprint(catalog, preferred_engine())
        key = cache.repository_key(run, inputs_digest(artifacts, evidence, library_only, content_digests))
        hit = store.get_many([key], RepositoryOutcome).get(key)
        if hit is not None:
            return hit
        outcome = repository_pass(artifacts, evidence, catalog, library_only)
        store.put_many({key: outcome})
        return outcome


def create_baseline(paths: Sequence[Path], config: Config | None = None, base: Path | None = None) -> str:
    """The baseline document accepting every current (unsuppressed) result."""
    config = dataclasses.replace(config or Config(), baseline=None)
    result, lines = _pipeline(paths, config, load_catalog(), base or Path.cwd())
    return render_baseline(result.results, lines, result.tool_version)


def _pipeline(
    paths: Sequence[Path], config: Config, catalog: Catalog, base: Path
) -> tuple[ScanResult, LineReader]:
    known = load_baseline(config.baseline) if config.baseline is not None else None
    deadline = None if config.timeout is None else time.monotonic() + config.timeout
    inputs = collect(paths, config, base)
    if inputs.missing and not inputs.artifacts:
        raise NothingToScan(", ".join(inputs.missing))
    evidence: list[Evidence] = []
    notices: list[Notice] = list(inputs.notices)
    notices.extend(Notice(p, NoticeKind.READ_ERROR, "path does not exist") for p in inputs.missing)
    # Cache, prefilter and process pool live in scanner.parallel; outcomes come back in artifact order.
    analysis = analyze_all(
        inputs.artifacts,
        catalog,
        analyze_artifact,
        jobs=config.jobs,
        use_cache=config.use_cache,
        cache_dir=config.cache_dir,
        deadline=deadline,
    )
    analysed = sum(1 for artifact in inputs.artifacts if has_analyzer(artifact.kind))
    for outcome in analysis.outcomes:
        evidence.extend(outcome.evidence)
        notices.extend(outcome.notices)
    # Names in the tree, unusual dependency files and links between files (scanner/analyzers/tree.py).
    if deadline is not None and time.monotonic() >= deadline:
        notices.append(
            Notice(
                ".",
                NoticeKind.TIMEOUT,
                "the repository-wide pass (dataset and model file names, links between files) was skipped: "
                "the scan's --timeout was reached",
                fatal=False,
            )
        )
    else:
        library_only = {
            artifact.path: outcome.library_only
            for artifact, outcome in zip(inputs.artifacts, analysis.outcomes, strict=True)
            if outcome.library_only is not None
        }
        repository = _repository_pass(
            inputs.artifacts, evidence, catalog, library_only, config, analysis.digests
        )
        evidence = repository.apply(evidence)
        notices.extend(repository.notices)
    components = correlate(evidence)
    declarations = load_declarations(paths, config, base, inputs.artifacts)
    results = evaluate(components, deployment_lookup(declarations.deployments), declarations.problems)
    lines = LineCache({a.path: a for a in inputs.artifacts})
    filtered = suppressions.apply(results, lines, declarations.ignores)
    results = list(filtered.kept) + problem_results(filtered.problems, config.report_unused_suppressions)
    baselined = 0
    if known is not None:
        new = new_results(results, known, lines)
        baselined, results = len(results) - len(new), new
    results.sort(key=lambda r: (r.location.path, r.location.line, r.location.column, r.rule_id))
    result = ScanResult(
        results=tuple(results),
        components=tuple(components),
        evidence=tuple(evidence),
        notices=tuple(sorted(notices, key=lambda n: (n.path, n.line or 0, n.message))),
        files_scanned=len(inputs.artifacts),
        files_analysed=analysed,
        catalog_version=catalog.version,
        tool_version=__version__,
        roots=(str(base.resolve()),),
        declarations_source=declarations.source,
        suppressed=filtered.suppressed,
        baselined=baselined,
    )
    return result, lines


class LineCache:
    """Lines of scanned text files, read again only for files that have results (suppression
    comments, baseline fingerprints). Binary artifacts have no lines."""

    def __init__(self, artifacts: dict[str, Artifact]) -> None:
        self.artifacts = artifacts
        self.cache: dict[str, list[str] | None] = {}

    def __call__(self, path: str) -> list[str] | None:
        if path not in self.cache:
            self.cache[path] = self._read(path)
        return self.cache[path]

    def _read(self, path: str) -> list[str] | None:
        artifact = self.artifacts.get(path)
        if artifact is None or artifact.kind not in TEXT_KINDS:
            return None
        try:
            data = artifact.read(MAX_TEXT_BYTES)
        except OSError:
            return None
        if b"\x00" in data[:8192]:
            return None
        return data.decode("utf-8", errors="replace").splitlines()


def _covers(paths: Sequence[Path], folder: Path) -> bool:
    """Whether the scan walks all of `folder`: only then can a glob that matches no scanned file be
    called wrong (pre-commit passes single files, and those never cover a whole project)."""
    return any(p.is_dir() and folder.resolve().is_relative_to(p.resolve()) for p in paths)


def load_declarations(
    paths: Sequence[Path], config: Config, base: Path, artifacts: Sequence[Artifact]
) -> Declarations:
    """The declarations in force, by precedence: given in the config, CLI flags, a --declarations
    file, else every emoscan.toml / pyproject.toml [tool.emoscan] that applies to the scanned tree."""
    scanned = [a.path for a in artifacts]
    if config.deployments:
        declarations = Declarations(config.deployments, (), "configuration")
    elif config.context is not None:
        declarations = from_cli(config.context, config.subjects, config.exemption, config.transparency_notice)
    elif config.declarations_file is not None:
        declarations = load_file(config.declarations_file, base, scanned)
    elif config.find_declarations:
        files = declaration_files(paths, (a.fs_path for a in artifacts))
        parts = [load_file(f, base, scanned if _covers(paths, f.parent) else ()) for f in files]
        declarations = merge(parts) if parts else Declarations()
    else:
        declarations = Declarations()
    return check_overlaps(declarations, scanned)
