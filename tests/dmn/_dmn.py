"""Small builders for DMN test documents, so each test shows only the elements it is about."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from strom.dmn import DecisionRequirementsGraph, DecisionResult, parse_dmn

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMN15 = "https://www.omg.org/spec/DMN/20230324/MODEL/"


def definitions(*content: str, ns: str = DMN15, extra: str = "") -> bytes:
    body = "\n".join(content)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<definitions xmlns="{ns}" id="defs" name="Test" namespace="http://example.com/dmn"{extra}>\n'
        f"{body}\n</definitions>\n"
    ).encode()


def text(feel: str) -> str:
    return f"<text>{escape(feel)}</text>"


def literal(feel: str, type_ref: str = "") -> str:
    t = f' typeRef="{type_ref}"' if type_ref else ""
    return f"<literalExpression{t}>{text(feel)}</literalExpression>"


def decision(
    decision_id: str,
    logic: str,
    *,
    name: str | None = None,
    type_ref: str = "",
    requires: Sequence[str] = (),
    inputs: Sequence[str] = (),
    knowledge: Sequence[str] = (),
) -> str:
    name = name if name is not None else decision_id
    t = f' typeRef="{type_ref}"' if type_ref else ""
    reqs = "".join(
        f'<informationRequirement><requiredDecision href="#{r}"/></informationRequirement>' for r in requires
    )
    reqs += "".join(
        f'<informationRequirement><requiredInput href="#{r}"/></informationRequirement>' for r in inputs
    )
    reqs += "".join(
        f'<knowledgeRequirement><requiredKnowledge href="#{r}"/></knowledgeRequirement>' for r in knowledge
    )
    return f'<decision id="{decision_id}" name="{name}"><variable name="{name}"{t}/>{reqs}{logic}</decision>'


def input_data(data_id: str, name: str, type_ref: str = "") -> str:
    t = f' typeRef="{type_ref}"' if type_ref else ""
    return f'<inputData id="{data_id}" name="{name}"><variable name="{name}"{t}/></inputData>'


def bkm(
    bkm_id: str, name: str, params: Sequence[str | tuple[str, str]], body: str, knowledge: Sequence[str] = ()
) -> str:
    formal = ""
    for p in params:
        pname, ptype = (p, "") if isinstance(p, str) else p
        t = f' typeRef="{ptype}"' if ptype else ""
        formal += f'<formalParameter name="{pname}"{t}/>'
    reqs = "".join(
        f'<knowledgeRequirement><requiredKnowledge href="#{r}"/></knowledgeRequirement>' for r in knowledge
    )
    return (
        f'<businessKnowledgeModel id="{bkm_id}" name="{name}"><variable name="{name}"/>{reqs}'
        f"<encapsulatedLogic>{formal}{body}</encapsulatedLogic></businessKnowledgeModel>"
    )


def table(
    inputs: Sequence[str],
    outputs: Sequence[str | tuple[str, str]],
    rules: Sequence[tuple[Sequence[str], Sequence[str]]],
    *,
    hit_policy: str = "UNIQUE",
    aggregation: str = "",
    output_values: dict[str, str] | None = None,
    input_values: dict[int, str] | None = None,
    defaults: dict[str, str] | None = None,
    table_id: str = "table",
) -> str:
    """A decision table; inputs are expressions, outputs names (or (name, typeRef)), rules
    (input entries, output entries). Ids: ``in1``…, ``out1``…, rules ``r1``…."""
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    parts = [f'<decisionTable id="{table_id}" hitPolicy="{hit_policy}"{agg}>']
    for i, expr in enumerate(inputs, start=1):
        values = ""
        if input_values and i in input_values:
            values = f"<inputValues>{text(input_values[i])}</inputValues>"
        parts.append(f'<input id="in{i}"><inputExpression>{text(expr)}</inputExpression>{values}</input>')
    for i, out in enumerate(outputs, start=1):
        oname, otype = (out, "") if isinstance(out, str) else out
        name_attr = f' name="{oname}"' if oname else ""
        t = f' typeRef="{otype}"' if otype else ""
        inner = ""
        if output_values and oname in output_values:
            inner += f"<outputValues>{text(output_values[oname])}</outputValues>"
        if defaults and oname in defaults:
            inner += f"<defaultOutputEntry>{text(defaults[oname])}</defaultOutputEntry>"
        parts.append(f'<output id="out{i}"{name_attr}{t}>{inner}</output>')
    for r, (entries, outs) in enumerate(rules, start=1):
        cells = "".join(f"<inputEntry>{text(e)}</inputEntry>" for e in entries)
        cells += "".join(f"<outputEntry>{text(o)}</outputEntry>" for o in outs)
        parts.append(f'<rule id="r{r}">{cells}</rule>')
    parts.append("</decisionTable>")
    return "".join(parts)


def graph(*content: str, ns: str = DMN15) -> DecisionRequirementsGraph:
    return parse_dmn(definitions(*content, ns=ns), resource_name="test.dmn")


def run(
    logic: str,
    variables: dict[str, Any] | None = None,
    *,
    mode: str = "dmn",
    type_ref: str = "",
    extra: Sequence[str] = (),
) -> DecisionResult:
    """Evaluate a decision ``d`` whose logic is ``logic`` (plus other elements ``extra``)."""
    g = graph(decision("d", logic, type_ref=type_ref), *extra)
    return g.evaluate("d", variables or {}, mode=mode)


def value(logic: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    result = run(logic, variables, **kwargs)
    return result.value
