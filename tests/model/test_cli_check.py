"""``strom check``: OK per accepted file, one line per problem, exit status 1 on any rejection."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from strom.cli import main

from ._bpmn import around, service


def run(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["check", *args])
    return result.exit_code, result.output.splitlines()


def test_accepted_files_print_ok(tmp_path: Path) -> None:
    good = tmp_path / "good.bpmn"
    good.write_bytes(around(service()))
    assert run(str(good)) == (0, [f"{good}: OK"])


def test_problems_are_printed_one_per_line_and_fail(tmp_path: Path) -> None:
    good = tmp_path / "good.bpmn"
    good.write_bytes(around(service()))
    bad = tmp_path / "bad.bpmn"
    bad.write_bytes(around('<bpmn:serviceTask id="task" />'))
    code, lines = run(str(good), str(bad))
    assert code == 1
    assert lines[0] == f"{good}: OK"
    assert lines[1].startswith(f"{bad}:")
    assert lines[1].endswith(": task: Must have exactly one 'zeebe:taskDefinition' extension element")


def test_unreadable_and_unknown_files_are_rejections(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("x")
    code, lines = run(str(tmp_path / "missing.bpmn"), str(notes))
    assert code == 1
    assert "cannot read file" in lines[0]
    assert "unsupported resource type '.txt'" in lines[1]


def test_broken_xml_is_reported_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.bpmn"
    broken.write_bytes(b"<bpmn:definitions>\n<oops>")
    code, lines = run(str(broken))
    assert code == 1 and lines[0].startswith(f"{broken}:")
    assert "Not well-formed XML" in lines[0]


def test_the_command_needs_files() -> None:
    code, _ = run()
    assert code == 2


def test_forms_are_checked_as_a_deployment_checks_them(tmp_path: Path) -> None:
    good = tmp_path / "approval.form"
    good.write_text('{"id": "approval", "type": "default", "components": []}')
    no_id = tmp_path / "no_id.form"
    no_id.write_text('{"type": "default"}')
    broken = tmp_path / "broken.form"
    broken.write_text("{not json")

    code, lines = run(str(good), str(no_id), str(broken))

    assert code == 1
    assert lines[0] == f"{good}: OK"
    assert lines[1].endswith("Expected the form id to be present, but none given")
    assert "not valid JSON" in lines[2]
