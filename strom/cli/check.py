"""``strom check FILE...``: validate resources without a broker.

Prints ``FILE: OK`` for a resource that would deploy, or one ``FILE:LINE: element-id: message``
line per problem, and exits with status 1 if any file is rejected. Checkers are chosen by file
suffix (``CHECKERS``), so other resource kinds (DMN, forms) plug in with one entry.
``--deployment`` checks the files as one deployment: references bound to the deployment
(``bindingType="deployment"``) must find their target among them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

Checker = Callable[[bytes, str], list[str]]
"""Takes the resource bytes and the name to report; returns problem lines (empty: accepted)."""


def _check_bpmn(data: bytes, name: str) -> list[str]:
    from strom.model import check_bpmn

    return [str(problem) for problem in check_bpmn(data, resource_name=name)]


def _check_form(data: bytes, name: str) -> list[str]:
    # the deployment's own check, so `strom check` accepts exactly what `strom deploy` accepts
    from strom.engine.processing.deployment._forms import FormResources

    parsed = FormResources.parse(name, data)
    return [f"{name}:0: {parsed}"] if isinstance(parsed, str) else []


def _check_dmn(data: bytes, name: str) -> list[str]:
    from strom.dmn import check_dmn

    return [str(problem) for problem in check_dmn(data, resource_name=name)]


CHECKERS: dict[str, Checker] = {
    ".bpmn": _check_bpmn,
    ".dmn": _check_dmn,
    ".form": _check_form,
}


def check_file(path: Path) -> list[str]:
    """Problem lines for one file; an unreadable or unknown file is a problem too."""
    checker = CHECKERS.get(path.suffix.lower())
    if checker is None:
        known = ", ".join(sorted(CHECKERS))
        return [f"{path}:0: unsupported resource type '{path.suffix}' (expected one of: {known})"]
    try:
        data = path.read_bytes()
    except OSError as error:
        return [f"{path}:0: cannot read file: {error.strerror or error}"]
    return checker(data, str(path))


def check_deployment(paths: list[Path]) -> dict[Path, list[str]]:
    """Problem lines of deployment-bound references among accepted BPMN files."""
    from strom.model import check_deployment_bindings, parse_bpmn

    resources = {str(path): parse_bpmn(path.read_bytes(), resource_name=str(path)) for path in paths}
    problems: dict[Path, list[str]] = {}
    for problem in check_deployment_bindings(resources):
        problems.setdefault(Path(problem.resource_name), []).append(str(problem))
    return problems


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--deployment", is_flag=True, help="Check the files together as one deployment.")
def check(files: tuple[Path, ...], deployment: bool) -> None:
    """Validate BPMN and DMN files as Zeebe would at deployment, without a broker."""
    results = {path: check_file(path) for path in files}
    if deployment:
        accepted = [
            path for path, problems in results.items() if not problems and path.suffix.lower() == ".bpmn"
        ]
        for path, problems in check_deployment(accepted).items():
            results[path].extend(problems)
    for path, problems in results.items():
        for line in problems:
            click.echo(line)
        if not problems:
            click.echo(f"{path}: OK")
    if any(results.values()):
        raise SystemExit(1)
