"""``strom check FILE...``: validate resources without a broker.

Prints ``FILE: OK`` for a resource that would deploy, or one ``FILE:LINE: element-id: message``
line per problem, and exits with status 1 if any file is rejected. Checkers are chosen by file
suffix (``CHECKERS``), so other resource kinds (DMN, forms) plug in with one entry.
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


CHECKERS: dict[str, Checker] = {
    ".bpmn": _check_bpmn,
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


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
def check(files: tuple[Path, ...]) -> None:
    """Validate BPMN files as Zeebe would at deployment, without a broker."""
    rejected = False
    for path in files:
        problems = check_file(path)
        if problems:
            rejected = True
            for line in problems:
                click.echo(line)
        else:
            click.echo(f"{path}: OK")
    if rejected:
        raise SystemExit(1)
