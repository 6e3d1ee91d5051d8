"""Decision tables: match rules against the input values, then apply the hit policy (DMN 1.5, 8.3).

Evaluation order follows the specification: every input expression once, then each rule's input
entries left to right (a rule stops at its first entry that does not match, and FIRST stops at its
first matching rule), then the output entries of the matched rules only. The result is shaped as
DMN and Zeebe both do: a table with one output yields bare values, one with several outputs yields
contexts keyed by output name; single-hit policies yield one such value (null when nothing
matched), multiple-hit policies a list, and COLLECT with an aggregation a single number. When no
rule matches, the two modes differ where DMN and Zeebe do (see ``_no_match``).

``outputValues`` give PRIORITY and OUTPUT ORDER their order: an output value's priority is the
position of the first of the column's output value tests it satisfies (DMN 1.5, 8.2.10).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from strom.feel import FeelEvaluationError, compile_expression

from ._runtime import Abort, Run
from .model import Aggregation, DecisionTable, HitPolicy, InputClause, OutputClause, Rule, UnaryTests

__all__ = ["TableOutcome", "evaluate_table"]

_SUM = compile_expression("sum(values)")
_MIN = compile_expression("min(values)")
_MAX = compile_expression("max(values)")
_EQUAL = compile_expression("a = b")
_NUMBERS = (int, float, Decimal)


@dataclass(slots=True)
class TableOutcome:
    """The table's value plus what Zeebe's DECISION_EVALUATION record reports about it."""

    value: Any
    #: (input clause, value) per input, in column order
    inputs: list[tuple[InputClause, Any]]
    #: (rule, [(output clause, value)]) per matched rule that contributed to the result
    matched: list[tuple[Rule, list[tuple[OutputClause, Any]]]]


def evaluate_table(table: DecisionTable, scope: Mapping[str, Any], run: Run) -> TableOutcome:
    """Evaluate ``table`` in ``scope``; errors follow ``run``'s policy (see ``_runtime``)."""
    owner = table.id
    input_values: list[Any] = []
    inputs: list[tuple[InputClause, Any]] = []
    for clause in table.inputs:
        value = run.feel(clause.expression.feel, scope, clause.id or owner)
        if clause.expression.type is not None:
            value = run.conform(
                value, clause.expression.type, "input '{}'", clause.id or owner, True, clause.name
            )
        if not _allowed(run, clause.input_values, value, scope, clause.id or owner):
            assert clause.input_values is not None
            run.fail(
                f"input '{clause.name}' is {value!r}, which is not one of its input values "
                f"'{clause.input_values.text}'",
                clause.id or owner,
            )
            return TableOutcome(None, [*inputs, (clause, value)], [])
        input_values.append(value)
        inputs.append((clause, value))

    matched_rules = _match(table, input_values, scope, run)

    if table.hit_policy is HitPolicy.UNIQUE and len(matched_rules) > 1:
        indexes = ", ".join(str(r.index) for r in matched_rules)
        run.fail(f"UNIQUE hit policy violated: rules {indexes} all match", owner)
        return TableOutcome(None, inputs, [])

    matched: list[tuple[Rule, list[tuple[OutputClause, Any]]]] = []
    for rule in matched_rules:
        outs: list[tuple[OutputClause, Any]] = []
        for output, output_entry in zip(table.outputs, rule.output_entries, strict=False):
            value = run.feel(output_entry.feel, scope, output_entry.id or rule.id)
            value = _check_output(run, output, value, scope, output_entry.id or rule.id)
            outs.append((output, value))
        matched.append((rule, outs))

    if not matched:
        return TableOutcome(_no_match(table, scope, run), inputs, [])
    return TableOutcome(_apply_hit_policy(table, matched, scope, run), inputs, matched)


def _match(table: DecisionTable, values: list[Any], scope: Mapping[str, Any], run: Run) -> list[Rule]:
    """The rules whose input entries all accept the input values (FIRST: the first such rule)."""
    first = table.hit_policy is HitPolicy.FIRST
    matched: list[Rule] = []
    if run.strict:
        # the hot loop of a business rule task: compiled tests called directly, errors caught once
        try:
            for rule in table.rules:
                for i, tests in rule.tests:
                    if not tests.matches(values[i], scope, "strict"):
                        break
                else:
                    matched.append(rule)
                    if first:
                        break
        except Abort:
            raise
        except FeelEvaluationError as error:
            raise Abort(str(error), table.id) from None
        return matched
    for rule in table.rules:
        entries = rule.input_entries
        for i, value in enumerate(values):
            entry = entries[i]
            if entry.feel is None:  # "-"
                continue
            if run.test(entry.feel, value, scope, entry.id or rule.id) is not True:
                break
        else:
            matched.append(rule)
            if first:
                break
    return matched


def _check_output(run: Run, clause: OutputClause, value: Any, scope: Mapping[str, Any], where: str) -> Any:
    if clause.type is not None:
        value = run.conform(value, clause.type, "output '{}'", where, True, clause.display_name)
    if not _allowed(run, clause.output_values, value, scope, where):
        assert clause.output_values is not None
        run.fail(
            f"output '{clause.display_name}' is {value!r}, which is not one of its output values "
            f"'{clause.output_values.text}'",
            where,
        )
        return None
    return value


def _allowed(run: Run, allowed: UnaryTests | None, value: Any, scope: Mapping[str, Any], where: str) -> bool:
    """Input and output values constrain a column in dmn mode; in strict mode they are advisory
    (Zeebe never checked them), so a table keeps working as it did there."""
    if allowed is None or allowed.matches_all or value is None or run.strict:
        return True
    return run.test(allowed.feel, value, scope, where) is True


def _shape(table: DecisionTable, outs: list[tuple[OutputClause, Any]]) -> Any:
    """One rule's result: a bare value for a single output, else a context by output name."""
    if len(table.outputs) == 1:
        return outs[0][1] if outs else None
    return {clause.name: value for clause, value in outs}


def _no_match(table: DecisionTable, scope: Mapping[str, Any], run: Run) -> Any:
    """Nothing matched: the default output entries if there are any (DMN 1.5, 8.2.13).

    Without defaults DMN gives a multiple-hit table an empty list (COUNT: 0). Zeebe (dmn-scala)
    gives null, and a default result as it is rather than in a list; strict mode, the engine's,
    keeps Zeebe's answer so a model behaves as it did there.
    """
    multiple = not table.hit_policy.single_hit and table.aggregation is None
    if any(o.default is not None for o in table.outputs):
        outs = []
        for clause in table.outputs:
            value = None
            if clause.default is not None:
                value = run.feel(clause.default.feel, scope, clause.id or table.id)
                value = _check_output(run, clause, value, scope, clause.id or table.id)
            outs.append((clause, value))
        result = _shape(table, outs)
        return [result] if multiple and not run.strict else result
    if table.hit_policy.single_hit or run.strict:
        return None
    if table.aggregation is Aggregation.COUNT:
        return 0
    if table.aggregation is not None:
        return None
    return []


def _apply_hit_policy(
    table: DecisionTable,
    matched: list[tuple[Rule, list[tuple[OutputClause, Any]]]],
    scope: Mapping[str, Any],
    run: Run,
) -> Any:
    policy = table.hit_policy
    results = [_shape(table, outs) for _rule, outs in matched]
    if policy is HitPolicy.UNIQUE or policy is HitPolicy.FIRST:
        return results[0]
    if policy is HitPolicy.ANY:
        head = results[0]
        for rule_and_outs, other in zip(matched[1:], results[1:], strict=True):
            if _EQUAL.evaluate({"a": head, "b": other}) is not True:
                run.fail(
                    f"ANY hit policy violated: rules {matched[0][0].index} and {rule_and_outs[0].index} "
                    "match with different outputs",
                    table.id,
                )
                return None
        return head
    if policy is HitPolicy.PRIORITY or policy is HitPolicy.OUTPUT_ORDER:
        keys = [_priority(table, outs, scope, run) for _rule, outs in matched]
        order = sorted(range(len(results)), key=lambda i: keys[i])
        ordered = [results[i] for i in order]
        return ordered[0] if policy is HitPolicy.PRIORITY else ordered
    # COLLECT and RULE ORDER: rule order
    if table.aggregation is None:
        return results
    return _aggregate(table, results, run)


def _priority(
    table: DecisionTable, outs: list[tuple[OutputClause, Any]], scope: Mapping[str, Any], run: Run
) -> tuple[int, ...]:
    key: list[int] = []
    for clause, value in outs:
        allowed = clause.output_values
        if allowed is None or not allowed.parts:
            key.append(0)
            continue
        position = len(allowed.parts)
        for index, part in enumerate(allowed.parts):
            if run.test(part, value, scope, clause.id or table.id) is True:
                position = index
                break
        key.append(position)
    return tuple(key)


def _aggregate(table: DecisionTable, results: list[Any], run: Run) -> Any:
    aggregation = table.aggregation
    if aggregation is Aggregation.COUNT:
        return len(results)
    values = [v for v in results if v is not None]
    if not values:
        return None
    if aggregation is Aggregation.SUM:
        if not all(type(v) in _NUMBERS for v in values):
            run.fail("the SUM aggregation needs numbers", table.id)
            return None
        return _SUM.evaluate({"values": values})
    expr = _MIN if aggregation is Aggregation.MIN else _MAX
    value, warnings = expr.evaluate_with_warnings({"values": values}, "dmn")
    if warnings or value is None:
        run.fail(
            f"the {aggregation.value if aggregation else ''} aggregation needs comparable values", table.id
        )
        return None
    return value
