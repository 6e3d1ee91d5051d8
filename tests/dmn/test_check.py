"""``strom check`` on DMN files: OK, or one ``FILE:LINE: element-id: message`` line per problem."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from strom.cli import main

from ._dmn import decision, definitions, literal


def run(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["check", *args])
    return result.exit_code, result.output.splitlines()


def test_good_dmn_is_ok(tmp_path: Path) -> None:
    good = tmp_path / "good.dmn"
    good.write_bytes(definitions(decision("d", literal("1 + 1"))))
    assert run(str(good)) == (0, [f"{good}: OK"])


def test_bad_dmn_prints_each_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.dmn"
    bad.write_bytes(definitions(decision("d", literal("1 +")), decision("e", literal("d"), requires=["x"])))
    code, lines = run(str(bad))
    assert code == 1
    assert len(lines) == 2
    assert lines[0].startswith(f"{bad}:3: d: Invalid FEEL in expression '1 +': ")  # FEEL words the rest
    assert lines[1] == f"{bad}:4: e: Requires the decision '#x', which is not defined"


def test_not_dmn(tmp_path: Path) -> None:
    bad = tmp_path / "x.dmn"
    bad.write_bytes(b"<nope/>")
    code, lines = run(str(bad))
    assert code == 1
    assert lines[0].startswith(f"{bad}:1: Expected a DMN 'definitions' root element")
