"""The command line: the only place that prints and picks exit codes.

Exit codes: 0 nothing at or above the failing level; 1 results at or above it; 2 usage or
declaration error; 3 nothing could be scanned. Heavy modules are imported inside the commands so
`emoscan --version` and a pre-commit run on one file start fast.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from scanner import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_NOTHING = 0, 1, 2, 3
FORMATS = ("text", "json", "sarif")
LEVELS = ("error", "warning", "note")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="emoscan", message="%(prog)s %(version)s")
def main() -> None:
    """emoscan finds emotion recognition in code, notebooks, dependency lists and model files, and
    reports it under the EU AI Act and the GDPR. Findings are technical, not legal advice."""


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
    "--include-vendored", is_flag=True, help="Also scan virtual environments, site-packages, node_modules."
)
@click.option("--no-gitignore", is_flag=True, help="Do not honour .gitignore files.")
@click.option(
    "--exclude", multiple=True, metavar="GLOB", help="Skip paths matching this gitignore-style glob."
)
def scan(
    paths: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    exit_zero: bool,
    fail_level: str,
    include_vendored: bool,
    no_gitignore: bool,
    exclude: tuple[str, ...],
) -> None:
    """Scan PATHS (files or folders; default: the current folder)."""
    from scanner.api import NothingToScan
    from scanner.api import scan as run_scan
    from scanner.config import Config
    from scanner.findings import Level
    from scanner.signatures import CatalogError

    config = Config(
        fail_level=Level(fail_level),
        include_vendored=include_vendored,
        respect_gitignore=not no_gitignore,
        exclude=exclude,
    )
    try:
        result = run_scan(list(paths) or [Path(".")], config)
    except NothingToScan as exc:
        _error(f"no such file or folder: {exc}")
        sys.exit(EXIT_USAGE)
    except CatalogError as exc:
        _error(f"signature catalogue is invalid: {exc}")
        sys.exit(EXIT_USAGE)
    _emit(_render(result, output_format, output), output)
    if result.files_scanned == 0:
        _error("nothing to scan: no files found under the given paths")
        sys.exit(EXIT_NOTHING)
    failing = any(r.level.rank >= config.fail_level.rank for r in result.results)
    sys.exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_OK)


def _render(result: object, output_format: str, output: Path | None) -> str:
    from scanner.findings import ScanResult

    assert isinstance(result, ScanResult)
    if output_format == "json":
        from scanner.output.json_report import render_json

        return render_json(result)
    if output_format == "sarif":
        from scanner.output.sarif import render_sarif

        return render_sarif(result)
    from scanner.output.text import render_text

    return render_text(result, colour=output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    # Write beside the target and rename, so an interrupted run never leaves half a report.
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
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
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Show a rule's documentation (e.g. `emoscan explain EMO001`)."""
    from scanner.rules import get_rule

    try:
        rule = get_rule(rule_id)
    except KeyError as exc:
        _error(str(exc.args[0]))
        sys.exit(EXIT_USAGE)
    click.echo(rule.markdown(), nl=False)


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
