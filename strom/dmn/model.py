"""The elements of a decision requirements graph (DRG), as the parser builds them.

Plain data: one class per DMN element the evaluator needs, each keeping its id and source line so
an error can name where it happened. FEEL texts are kept next to their compiled form (``feel``):
the parser compiles every expression once, at deployment, so evaluation never parses.
A ``feel`` slot holding a :class:`FeelSyntaxError` instead means the model was parsed with
``lenient=True`` and the expression fails when (and only when) it is evaluated.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from strom.feel import CompiledExpression, CompiledUnaryTests, FeelEvaluationError, FeelSyntaxError

if TYPE_CHECKING:
    from .item_definitions import DmnType

__all__ = [
    "Aggregation",
    "Binding",
    "BusinessKnowledgeModel",
    "Conditional",
    "Context",
    "ContextEntry",
    "Decision",
    "DecisionService",
    "DecisionTable",
    "DeferredError",
    "Definitions",
    "Expression",
    "Filter",
    "FunctionDefinition",
    "HitPolicy",
    "Import",
    "InputClause",
    "InputData",
    "Invocation",
    "ItemDefinition",
    "Iterator",
    "ListExpression",
    "LiteralExpression",
    "OutputClause",
    "Parameter",
    "Reference",
    "Relation",
    "Rule",
    "UnaryTests",
]


class HitPolicy(enum.StrEnum):
    """How a decision table turns matched rules into its result (DMN 1.5, 8.2.8)."""

    UNIQUE = "UNIQUE"
    FIRST = "FIRST"
    PRIORITY = "PRIORITY"
    ANY = "ANY"
    COLLECT = "COLLECT"
    RULE_ORDER = "RULE ORDER"
    OUTPUT_ORDER = "OUTPUT ORDER"

    @property
    def single_hit(self) -> bool:
        return self in (HitPolicy.UNIQUE, HitPolicy.FIRST, HitPolicy.PRIORITY, HitPolicy.ANY)


class Aggregation(enum.StrEnum):
    """The operator of a COLLECT table with an aggregation (C+, C<, C>, C#)."""

    SUM = "SUM"
    MIN = "MIN"
    MAX = "MAX"
    COUNT = "COUNT"


@dataclass(frozen=True, slots=True)
class Reference:
    """A requirement's target: ``href="#id"`` or ``href="namespace#id"`` (an imported element)."""

    namespace: str
    id: str


@dataclass(eq=False, slots=True, kw_only=True)
class ItemDefinition:
    """An ``itemDefinition`` (or ``itemComponent``) as written; resolved into a type later."""

    id: str
    name: str
    line: int
    type_ref: str = ""
    is_collection: bool = False
    allowed_values: str = ""
    type_constraint: str = ""
    components: tuple[ItemDefinition, ...] = ()
    #: ``functionItem``: (parameter typeRefs, output typeRef)
    function_item: tuple[tuple[str, ...], str] | None = None


# -- expressions ---------------------------------------------------------------------------
@dataclass(eq=False, slots=True, kw_only=True)
class Expression:
    """Base of every (boxed) expression; ``type`` is the resolved ``typeRef`` (None: unchecked)."""

    id: str = ""
    line: int = 0
    type_ref: str = ""
    type: DmnType | None = None

    @property
    def kind(self) -> str:
        """The Zeebe ``DecisionType`` name of a decision with this logic."""
        return "UNKNOWN"


@dataclass(eq=False, slots=True, kw_only=True)
class LiteralExpression(Expression):
    text: str
    feel: CompiledExpression | FeelSyntaxError | None = None

    @property
    def kind(self) -> str:
        return "LITERAL_EXPRESSION"


@dataclass(eq=False, slots=True, kw_only=True)
class UnaryTests:
    """Input entries, input values, output values, allowed values: unary tests over ``?``."""

    id: str = ""
    line: int = 0
    text: str
    feel: CompiledUnaryTests | FeelSyntaxError | None = None
    #: the comma-separated tests one by one (output values give priorities by position)
    parts: tuple[CompiledUnaryTests, ...] = ()

    @property
    def matches_all(self) -> bool:
        return self.text.strip() in ("-", "")


class DeferredError:
    """Stands in for unary tests that did not compile (lenient parsing): matching them fails."""

    __slots__ = ("error",)

    def __init__(self, error: FeelSyntaxError) -> None:
        self.error = error

    def matches(self, _value: Any, _variables: Any = None, _mode: str = "strict") -> bool:
        raise FeelEvaluationError(str(self.error))


@dataclass(eq=False, slots=True, kw_only=True)
class InputClause:
    id: str
    line: int
    label: str
    expression: LiteralExpression
    input_values: UnaryTests | None = None

    @property
    def name(self) -> str:
        """What Zeebe reports: the label, else the expression text cut to 30 characters."""
        return self.label or self.expression.text[:30]


@dataclass(eq=False, slots=True, kw_only=True)
class OutputClause:
    id: str
    line: int
    label: str
    name: str
    type_ref: str = ""
    type: DmnType | None = None
    output_values: UnaryTests | None = None
    default: LiteralExpression | None = None

    @property
    def display_name(self) -> str:
        """Zeebe (like the Modeler) favours the label over the name."""
        return self.label or self.name


@dataclass(eq=False, slots=True, kw_only=True)
class Rule:
    id: str
    line: int
    index: int
    """1-based position in the table, as Zeebe's ``ruleIndex``."""
    input_entries: tuple[UnaryTests, ...]
    output_entries: tuple[LiteralExpression, ...]

    #: (input index, compiled tests) of the entries that are not ``-``: the matching loop's input
    tests: tuple[tuple[int, CompiledUnaryTests | DeferredError], ...] = ()


@dataclass(eq=False, slots=True, kw_only=True)
class DecisionTable(Expression):
    hit_policy: HitPolicy = HitPolicy.UNIQUE
    aggregation: Aggregation | None = None
    inputs: tuple[InputClause, ...] = ()
    outputs: tuple[OutputClause, ...] = ()
    rules: tuple[Rule, ...] = ()
    output_label: str = ""

    @property
    def kind(self) -> str:
        return "DECISION_TABLE"


@dataclass(eq=False, slots=True, kw_only=True)
class ContextEntry:
    """``name`` is None for the final entry whose value is the context's result."""

    name: str | None
    value: Expression
    id: str = ""
    line: int = 0
    type_ref: str = ""
    type: DmnType | None = None


@dataclass(eq=False, slots=True, kw_only=True)
class Context(Expression):
    entries: tuple[ContextEntry, ...] = ()

    @property
    def kind(self) -> str:
        return "CONTEXT"


@dataclass(eq=False, slots=True, kw_only=True)
class ListExpression(Expression):
    items: tuple[Expression, ...] = ()

    @property
    def kind(self) -> str:
        return "LIST"


@dataclass(eq=False, slots=True, kw_only=True)
class Parameter:
    """A formal parameter, a relation column or a decision service input: a name and a type."""

    name: str
    type_ref: str = ""
    type: DmnType | None = None


@dataclass(eq=False, slots=True, kw_only=True)
class Relation(Expression):
    columns: tuple[Parameter, ...] = ()
    rows: tuple[tuple[Expression, ...], ...] = ()

    @property
    def kind(self) -> str:
        return "RELATION"


@dataclass(eq=False, slots=True, kw_only=True)
class Binding:
    parameter: str
    value: Expression | None


@dataclass(eq=False, slots=True, kw_only=True)
class Invocation(Expression):
    callee: Expression
    bindings: tuple[Binding, ...] = ()

    @property
    def kind(self) -> str:
        return "INVOCATION"


@dataclass(eq=False, slots=True, kw_only=True)
class FunctionDefinition(Expression):
    kind_: str = "FEEL"
    parameters: tuple[Parameter, ...] = ()
    body: Expression | None = None

    @property
    def kind(self) -> str:
        return "FUNCTION_DEFINITION"


@dataclass(eq=False, slots=True, kw_only=True)
class Conditional(Expression):
    condition: Expression
    then: Expression
    otherwise: Expression

    @property
    def kind(self) -> str:
        return "CONDITIONAL"


@dataclass(eq=False, slots=True, kw_only=True)
class Iterator(Expression):
    """Boxed ``for`` / ``some`` / ``every`` (DMN 1.5): ``operator`` is one of those words."""

    operator: str
    variable: str
    source: Expression
    body: Expression
    source_type_ref: str = ""
    source_type: DmnType | None = None

    @property
    def kind(self) -> str:
        return self.operator.upper()


@dataclass(eq=False, slots=True, kw_only=True)
class Filter(Expression):
    source: Expression
    match: Expression

    @property
    def kind(self) -> str:
        return "FILTER"


# -- DRG elements --------------------------------------------------------------------------
@dataclass(eq=False, slots=True, kw_only=True)
class InputData:
    id: str
    name: str
    line: int
    namespace: str
    type_ref: str = ""
    type: DmnType | None = None


@dataclass(eq=False, slots=True, kw_only=True)
class Decision:
    id: str
    name: str
    line: int
    namespace: str
    #: the ``<variable>``'s name: what requiring decisions call the result (DMN wants it equal
    #: to ``name``; Camunda models sometimes differ, and Zeebe falls back to the id without one)
    variable_name: str = ""
    type_ref: str = ""
    type: DmnType | None = None
    required_decisions: tuple[Reference, ...] = ()
    required_inputs: tuple[Reference, ...] = ()
    required_knowledge: tuple[Reference, ...] = ()
    logic: Expression | None = None
    version_tag: str = ""

    @property
    def kind(self) -> str:
        return self.logic.kind if self.logic is not None else "UNKNOWN"

    @property
    def result_names(self) -> tuple[str, ...]:
        """The names a requiring decision sees this one's result under (the last one wins)."""
        if self.variable_name and self.variable_name != self.name:
            return (self.name, self.variable_name)
        if not self.variable_name and self.id != self.name:
            return (self.id, self.name)
        return (self.name,)


@dataclass(eq=False, slots=True, kw_only=True)
class BusinessKnowledgeModel:
    id: str
    name: str
    line: int
    namespace: str
    type_ref: str = ""
    type: DmnType | None = None
    logic: FunctionDefinition | None = None
    required_knowledge: tuple[Reference, ...] = ()


@dataclass(eq=False, slots=True, kw_only=True)
class DecisionService:
    id: str
    name: str
    line: int
    namespace: str
    type_ref: str = ""
    type: DmnType | None = None
    output_decisions: tuple[Reference, ...] = ()
    encapsulated_decisions: tuple[Reference, ...] = ()
    input_decisions: tuple[Reference, ...] = ()
    input_data: tuple[Reference, ...] = ()


@dataclass(frozen=True, slots=True)
class Import:
    name: str
    namespace: str
    import_type: str
    location: str = ""


@dataclass(eq=False, slots=True, kw_only=True)
class Definitions:
    """One DMN resource: its DRG elements by id, in document order."""

    id: str
    name: str
    namespace: str
    dmn_version: str
    resource_name: str
    imports: tuple[Import, ...] = ()
    #: names a FEEL text may meet anywhere in or through this model (element names, components,
    #: context entries, columns; imported models' too): what an importing model's parser must know
    names: tuple[str, ...] = ()
    item_definitions: dict[str, ItemDefinition] = field(default_factory=dict)
    input_data: dict[str, InputData] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    knowledge_models: dict[str, BusinessKnowledgeModel] = field(default_factory=dict)
    decision_services: dict[str, DecisionService] = field(default_factory=dict)

    def import_name(self, namespace: str) -> str | None:
        """The name under which this model sees the elements of ``namespace`` (None: its own)."""
        if namespace == self.namespace:
            return None
        for imp in self.imports:
            if imp.namespace == namespace:
                return imp.name
        return None
