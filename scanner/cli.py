"""The command line: the only place that prints and picks exit codes.

Exit codes: 0 nothing at or above the failing level; 1 results at or above it; 2 usage or
declaration error; 3 nothing could be scanned. Heavy modules are imported inside the commands so
`emoscan --version` and a pre-commit run on one file start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scanner import __version__

if TYPE_CHECKING:
    from scanner.config import Config
    from scanner.findings import ScanResult

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_NOTHING = 0, 1, 2, 3
FORMATS = ("text", "json", "sarif", "markdown", "html", "github")
LEVELS = ("error", "warning", "note")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="emoscan", message="%(prog)s %(version)s")
def main() -> None:
    """emoscan finds emotion recognition in code, notebooks, dependency lists and model files, and
    reports it under the EU AI Act and the GDPR. Findings are technical, not legal advice."""


def declaration_options(command: Callable[..., None]) -> Callable[..., None]:
    """The deployment-context flags shared by `scan`, `inventory` and `explain`."""
    options = [
        click.option(
            "--context",
            metavar="CONTEXT",
            help="Declare the deployment context for everything scanned (overrides declaration files): "
            "workplace, education, customer-service, healthcare, safety, law-enforcement, migration, "
            "consumer, research, personal.",
        ),
        click.option(
            "--subjects",
            multiple=True,
            metavar="WORDS",
            help="Who the system is used on (comma-separated or repeated): employees, candidates, students, "
            "customers, patients, drivers, ...",
        ),
        click.option(
            "--exemption",
            metavar="KIND:JUSTIFICATION",
            help="A medical or safety purpose with its justification, e.g. 'safety:detects panic in pilots'.",
        ),
        click.option(
            "--transparency-notice", metavar="PATH", help="The Art. 50(3) notice given to the people exposed."
        ),
        click.option(
            "--declarations",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Read declarations from this TOML file instead of the nearest emoscan.toml/pyproject.toml.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout."
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when results are found (for upload jobs).")
@click.option(
    "--fail-level",
    type=click.Choice(LEVELS),
    default="warning",
    show_default=True,
    help="Exit 1 when a result at or above this level is found.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Also exit 1 when a file could not be scanned (unreadable, damaged, over a size bound, an "
    "encrypted archive member): the notices marked error, even when nothing was found.",
)
@click.option(
    "--include-vendored", is_flag=True, help="Also scan virtual environments, site-packages, node_modules."
)
@click.option("--no-gitignore", is_flag=True, help="Do not honour .gitignore files.")
@click.option(
    "--exclude", multiple=True, metavar="GLOB", help="Skip paths matching this gitignore-style glob."
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Report only results not in this baseline file.",
)
@click.option(
    "--report-unused-suppressions", is_flag=True, help="Report suppressions that match no result (EMO011)."
)
@click.option(
    "--sarif-include-suppressed",
    is_flag=True,
    help="Write suppressed results to SARIF, marked as suppressed.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    envvar="EMOSCAN_JOBS",
    help="Analyse in up to N processes [default: one per core, when there is enough work for them].",
)
@click.option(
    "--no-cache",
    is_flag=True,
    envvar="EMOSCAN_NO_CACHE",
    help="Analyse every file again instead of reusing the outcomes of unchanged files.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="EMOSCAN_CACHE_DIR",
    help="Keep the cache here [default: the user cache directory, e.g. ~/.cache/emoscan].",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop analysing after this many seconds; each file not reached gets a notice (and fails --strict).",
)
@declaration_options
def scan(
    paths: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    exit_zero: bool,
    fail_level: str,
    strict: bool,
    include_vendored: bool,
    no_gitignore: bool,
    exclude: tuple[str, ...],
    baseline: Path | None,
    report_unused_suppressions: bool,
    sarif_include_suppressed: bool,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    timeout: float | None,
    **declared: Any,
) -> None:
    """Scan PATHS (files or folders; default: the current folder)."""
    from scanner.findings import Level

    config = _config(
        declared,
        fail_level=Level(fail_level),
        include_vendored=include_vendored,
        respect_gitignore=not no_gitignore,
        exclude=exclude,
        baseline=baseline,
        report_unused_suppressions=report_unused_suppressions,
        jobs=jobs,
        use_cache=not no_cache,
        cache_dir=cache_dir,
        timeout=timeout,
    )
    result = _run_scan(paths, config)
    _emit(_render(result, output_format, output, include_suppressed=sarif_include_suppressed), output)
    if result.files_scanned == 0:
        _error("nothing to scan: no files found under the given paths")
        sys.exit(EXIT_NOTHING)
    if exit_zero:
        sys.exit(EXIT_OK)
    if any(r.rule_id == "EMO008" for r in result.results):
        _error("the deployment declarations have errors (EMO008); fix them for verdicts you can rely on")
        sys.exit(EXIT_USAGE)
    failing = any(r.level.rank >= config.fail_level.rank for r in result.results)
    unscanned = sorted({n.path for n in result.notices if n.fatal})
    if strict and unscanned:
        count = f"{len(unscanned):,} file{'s' if len(unscanned) != 1 else ''}"
        _error(f"{count} could not be scanned (--strict); the notices say why")
        failing = True
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)


def _config(declared: dict[str, Any], **settings: Any) -> Config:
    from scanner.config import CONTEXTS, Config

    context = declared.get("context")
    if context is not None and context not in CONTEXTS:
        raise click.BadParameter(f"{context!r}; use one of: {', '.join(CONTEXTS)}", param_hint="--context")
    if context is None and any(declared.get(k) for k in ("subjects", "exemption", "transparency_notice")):
        raise click.UsageError("--subjects, --exemption and --transparency-notice need --context")
    return Config(
        context=context,
        subjects=tuple(declared.get("subjects") or ()),
        exemption=declared.get("exemption"),
        transparency_notice=declared.get("transparency_notice"),
        declarations_file=declared.get("declarations"),
        **settings,
    )


def _run_scan(paths: tuple[Path, ...], config: Config) -> ScanResult:
    from scanner.api import NothingToScan
    from scanner.api import scan as run_scan
    from scanner.baseline import BaselineError
    from scanner.signatures import CatalogError

    own_process()
    try:
        return run_scan(list(paths) or [Path(".")], config)
    except BaselineError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    except NothingToScan as exc:
        _error(f"no such file or folder: {exc}")
        sys.exit(EXIT_USAGE)
    except CatalogError as exc:
        _error(f"signature catalogue is invalid: {exc}")
        sys.exit(EXIT_USAGE)


def own_process() -> None:
    """This process is emoscan's: the analyzers may tune the libraries they use for it."""
    from scanner import analyzers

    analyzers.own_process()


def _render(
    result: ScanResult, output_format: str, output: Path | None, include_suppressed: bool = False
) -> str:
    if output_format == "json":
        from scanner.output.json_report import render_json

        return render_json(result)
    if output_format == "sarif":
        from scanner.output.sarif import render_sarif

        return render_sarif(result, include_suppressed=include_suppressed)
    if output_format == "markdown":
        from scanner.output.markdown import render_markdown

        return render_markdown(result)
    if output_format == "html":
        from scanner.output.html import render_html

        return render_html(result)
    if output_format == "github":
        from scanner.output.github import render_github

        return render_github(result)
    from scanner.output.text import render_text

    return render_text(result, colour=output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    # Write beside the target and rename, so an interrupted run never leaves half a report.
    import tempfile  # here: 9 ms (with random and shutil) that a report to the terminal never needs

    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    # mkstemp creates the file private (0600); a report is for sharing, so honour the umask instead.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _error(message: str) -> None:
    click.echo(f"emoscan: {message}", err=True)


@main.command()
def rules() -> None:
    """List the rules with their codes, names and default levels."""
    from scanner.rules import RULES

    width = max(len(rule.name) for rule in RULES.values())
    for rule in RULES.values():
        click.echo(f"{rule.id}  {rule.name:<{width}}  {rule.level.value:<7}  {rule.short}")


@main.command()
def signatures() -> None:
    """Show the signature catalogue's version and its counts per kind."""
    from scanner.signatures import CatalogError, catalog_dir, load_catalog

    try:
        catalog = load_catalog()
    except CatalogError as exc:
        _error(f"signature catalogue is invalid: {exc}")
        sys.exit(EXIT_USAGE)
    click.echo(f"catalogue version {catalog.version} ({catalog_dir()})")
    for kind, count in catalog.counts().items():
        click.echo(f"  {kind:<13} {count}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True
)
@declaration_options
def inventory(paths: tuple[Path, ...], output_format: str, **declared: Any) -> None:
    """List every emotion-recognition component found, allowed or not, with its modality, capability,
    evidence, declared context and verdict."""
    from scanner.output.inventory import render_inventory_json, render_inventory_text

    result = _run_scan(paths, _config(declared))
    render = render_inventory_json if output_format == "json" else render_inventory_text
    click.echo(render(result), nl=False)


@main.command()
@click.argument("target")
@declaration_options
def explain(target: str, **declared: Any) -> None:
    """Explain a rule (`emoscan explain EMO001`) or a result (`emoscan explain app.py:24`): the
    evidence and its signatures, the component, the declaration that applied and the table cell."""
    from scanner.rules import RULES, get_rule

    if target.upper() in RULES or ":" not in target:
        try:
            rule = get_rule(target)
        except KeyError as exc:
            _error(str(exc.args[0]))
            sys.exit(EXIT_USAGE)
        click.echo(rule.markdown(), nl=False)
        return
    from scanner.output.inventory import explain_location

    path_text, _, line_text = target.rpartition(":")
    if not line_text.isdigit() or not path_text:
        _error(f"expected RULE or FILE:LINE, got {target!r}")
        sys.exit(EXIT_USAGE)
    path = Path(path_text)
    if not path.exists():
        _error(f"no such file: {path_text}")
        sys.exit(EXIT_USAGE)
    result = _run_scan((path,), _config(declared))
    text = explain_location(result, int(line_text))
    if text is None:
        _error(f"no emoscan result or evidence at {target}")
        sys.exit(EXIT_FINDINGS)
    click.echo(text, nl=False)


@main.command()
@click.option(
    "--file",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write (default: pyproject.toml if present, else emoscan.toml).",
)
@click.option("--force", is_flag=True, help="Replace an existing declaration.")
def init(target: Path | None, force: bool) -> None:
    """Write a commented deployment declaration template. Asks for the context when run in a
    terminal; writes the template as it is otherwise."""
    from scanner.config import CONTEXTS
    from scanner.init_template import InitError, write_template

    answers: dict[str, str] = {}
    if sys.stdin.isatty():
        answers["name"] = click.prompt("Deployment name", default="my-deployment")
        answers["context"] = click.prompt("Context", type=click.Choice(CONTEXTS), default="customer-service")
        answers["subjects"] = click.prompt("Subjects (comma-separated)", default="customers")
        answers["paths"] = click.prompt("Paths it covers (comma-separated globs)", default="**")
    try:
        written = write_template(target, force=force, answers=answers)
    except InitError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    click.echo(f"wrote a deployment declaration to {written}; edit it, then run `emoscan scan`")


@main.group()
def baseline() -> None:
    """Accept the current results, so that later scans report only new ones (`scan --baseline`)."""


@baseline.command("create")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("emoscan-baseline.json"),
    show_default=True,
)
@declaration_options
def baseline_create(paths: tuple[Path, ...], output: Path, **declared: Any) -> None:
    """Write the current results of PATHS, keyed by content fingerprints, to the baseline file."""
    import json

    from scanner.api import NothingToScan, create_baseline

    own_process()

    try:
        document = create_baseline(list(paths) or [Path(".")], _config(declared))
    except NothingToScan as exc:
        _error(f"no such file or folder: {exc}")
        sys.exit(EXIT_USAGE)
    _emit(document, output)
    count = len(json.loads(document)["results"])
    click.echo(f"wrote {count} results to {output}; scan with --baseline {output} to see only new ones")
