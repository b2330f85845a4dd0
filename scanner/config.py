"""Settings and deployment-context declarations, as frozen values.

A declaration says where code will run and on whom; policy turns it into verdicts. Declarations are
read from `[tool.emoscan]` in pyproject.toml, from emoscan.toml, from a file given with
`--declarations`, or from CLI flags (see scanner/declarations.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scanner.findings import Level, Location

CONTEXTS = (
    "workplace",
    "education",
    "customer-service",
    "healthcare",
    "safety",
    "law-enforcement",
    "migration",
    "consumer",
    "research",
    "personal",
)

SUBJECTS = (
    "employees",
    "candidates",
    "applicants",
    "agents",
    "workers",
    "staff",
    "contractors",
    "students",
    "pupils",
    "learners",
    "examinees",
    "customers",
    "patients",
    "drivers",
    "pilots",
    "travellers",
    "suspects",
    "public",
    "users",
    "players",
    "children",
    "participants",
)

EXEMPTION_KINDS = ("medical", "safety")


@dataclass(frozen=True)
class Deployment:
    name: str
    paths: tuple[str, ...]
    context: str
    subjects: tuple[str, ...] = ()
    purpose: str | None = None
    exemption_kind: str | None = None
    exemption_justification: str | None = None
    transparency_notice: str | None = None
    dpia: str | None = None
    # Where the declaration was written (file and line), for explanations and EMO008.
    source: Location | None = None


@dataclass(frozen=True)
class Config:
    # Declarations given programmatically; when empty they are read from the CLI flags below, the
    # --declarations file, or the nearest emoscan.toml / pyproject.toml.
    deployments: tuple[Deployment, ...] = ()
    context: str | None = None
    subjects: tuple[str, ...] = ()
    exemption: str | None = None  # "KIND:justification"
    transparency_notice: str | None = None
    declarations_file: Path | None = None
    find_declarations: bool = True
    fail_level: Level = Level.WARNING
    report_unused_suppressions: bool = False
    baseline: Path | None = None
    include_vendored: bool = False
    respect_gitignore: bool = True
    exclude: tuple[str, ...] = ()
    # Analysis workers: None picks one per core when there is enough work for a pool; 1 never starts one.
    jobs: int | None = None
    # The content-hash cache of per-file outcomes (scanner/cache.py). Off for library calls, which
    # should not write outside the scanned inputs; the CLI turns it on unless --no-cache.
    use_cache: bool = False
    cache_dir: Path | None = None  # None: platformdirs.user_cache_dir("emoscan")
    # Seconds for the whole scan; files not analysed by then get a fatal notice each (--timeout).
    timeout: float | None = None


def specificity(pattern: str) -> tuple[int, int]:
    """How specific a path glob is: literal segments first, then length. `services/calls/**` beats
    `services/**`, which beats `**`."""
    segments = [s for s in pattern.strip("/").split("/") if s]
    literal = sum(1 for s in segments if not any(c in s for c in "*?["))
    return (literal, len(pattern))


def deployment_lookup(deployments: tuple[Deployment, ...]) -> Callable[[str], Deployment | None]:
    """A function from a scanned path (POSIX, relative to the project root) to the declaration that
    covers it: the one whose matching glob is most specific."""
    if not deployments:
        return lambda path: None
    import pathspec  # here: 30 ms that a scan without declarations never needs

    compiled = [
        (deployment, pattern, pathspec.GitIgnoreSpec.from_lines([pattern]))
        for deployment in deployments
        for pattern in deployment.paths
    ]

    def lookup(path: str) -> Deployment | None:
        member = path.split("!/", 1)[0] if "!/" in path else path
        best: tuple[tuple[int, int], Deployment] | None = None
        for deployment, pattern, spec in compiled:
            if spec.match_file(member) or spec.match_file(path):
                rank = specificity(pattern)
                if best is None or rank > best[0]:
                    best = (rank, deployment)
        return None if best is None else best[1]

    return lookup
