"""Evaluating a decision requirements graph: required decisions first, then the decision itself.

A decision sees the variables it was called with (as in Zeebe, where decision table inputs read
process variables directly), its required input data converted to their declared types, the
values of its required decisions and, as functions, its required business knowledge models and
decision services. Elements of imported models appear under their import's name
(``myimport.Say Hello(...)``). Each decision is evaluated at most once per call, and every one
that was evaluated is reported, required ones first, with the inputs and matched rules of
decision tables — the content of Zeebe's DECISION_EVALUATION record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from strom.feel import UserFunction, from_python, to_python
from strom.protocol.values.decision import (
    EvaluatedDecisionValue,
    EvaluatedInputValue,
    EvaluatedOutputValue,
    MatchedRuleValue,
)

from ._runtime import MAX_DEPTH, Abort, Run
from .boxed import evaluate as evaluate_expression
from .boxed import make_function
from .decision_table import TableOutcome, evaluate_table
from .errors import DecisionEvaluationError
from .item_definitions import TypeRegistry
from .model import (
    BusinessKnowledgeModel,
    Decision,
    DecisionService,
    DecisionTable,
    Definitions,
    InputData,
    Reference,
)

__all__ = [
    "DecisionFailure",
    "DecisionRequirementsGraph",
    "DecisionResult",
    "EvaluatedDecision",
    "EvaluatedInput",
    "EvaluatedOutput",
    "MatchedRule",
]


def _json(value: Any) -> Any:
    return to_python(value, json=True)


def _json_text(value: Any) -> str:
    return json.dumps(_json(value), separators=(",", ":"), ensure_ascii=False)


# -- results -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EvaluatedInput:
    """A decision table input and the value its expression produced (``raw``: the FEEL value)."""

    id: str
    name: str
    raw: Any

    @property
    def value(self) -> Any:
        return _json(self.raw)


@dataclass(frozen=True, slots=True)
class EvaluatedOutput:
    """One output entry of a matched rule and its value."""

    id: str
    name: str
    raw: Any

    @property
    def value(self) -> Any:
        return _json(self.raw)


@dataclass(frozen=True, slots=True)
class MatchedRule:
    """A rule that contributed to the table's result; ``index`` counts from 1, as in Zeebe."""

    id: str
    index: int
    outputs: tuple[EvaluatedOutput, ...]


@dataclass(frozen=True, slots=True)
class EvaluatedDecision:
    """One decision evaluated on the way to the result (required decisions come first).

    ``type`` is Zeebe's decision type: ``DECISION_TABLE``, ``LITERAL_EXPRESSION``, ``CONTEXT``,
    ``INVOCATION``, ``LIST``, ``RELATION``, or ``UNKNOWN`` (DMN 1.5's conditionals, iterators...).
    """

    id: str
    name: str
    type: str
    raw: Any
    inputs: tuple[EvaluatedInput, ...] = ()
    matched_rules: tuple[MatchedRule, ...] = ()

    @property
    def output(self) -> Any:
        return _json(self.raw)

    def to_record_value(self, **fields: Any) -> EvaluatedDecisionValue:
        """As the protocol's ``EvaluatedDecisionValue`` (values as JSON text); ``fields`` adds
        what only the engine knows (``decision_key``, ``decision_version``, ``tenant_id``...)."""
        return EvaluatedDecisionValue(
            decision_id=self.id,
            decision_name=self.name,
            decision_type=self.type,
            decision_output=_json_text(self.raw),
            evaluated_inputs=[
                EvaluatedInputValue(input_id=i.id, input_name=i.name, input_value=_json_text(i.raw))
                for i in self.inputs
            ],
            matched_rules=[
                MatchedRuleValue(
                    rule_id=r.id,
                    rule_index=r.index,
                    evaluated_outputs=[
                        EvaluatedOutputValue(
                            output_id=o.id, output_name=o.name, output_value=_json_text(o.raw)
                        )
                        for o in r.outputs
                    ],
                )
                for r in self.matched_rules
            ],
            **fields,
        )


@dataclass(frozen=True, slots=True)
class DecisionFailure:
    """Why an evaluation failed, and which decision failed (Zeebe's ``failedDecisionId``)."""

    message: str
    decision_id: str


@dataclass(frozen=True, slots=True)
class DecisionResult:
    """The outcome of :meth:`DecisionRequirementsGraph.evaluate`.

    ``value`` is the FEEL value; ``output`` the same as plain JSON-able Python (temporal values
    as their FEEL strings, as Zeebe stores them). On failure ``failure`` says why and both are
    None. ``warnings`` lists what went wrong without failing (in dmn mode: every error).
    """

    decision_id: str
    decision_name: str
    value: Any
    evaluated_decisions: tuple[EvaluatedDecision, ...]
    failure: DecisionFailure | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def output(self) -> Any:
        return _json(self.value)

    @property
    def output_json(self) -> str:
        """The output as JSON text, the form of the record's ``decisionOutput``."""
        return _json_text(self.value)

    @property
    def ok(self) -> bool:
        return self.failure is None

    def unwrap(self) -> Any:
        """The FEEL value, or ``DecisionEvaluationError`` for callers that prefer an exception."""
        if self.failure is not None:
            raise DecisionEvaluationError(self.failure.message, self.failure.decision_id)
        return self.value


# -- the graph -----------------------------------------------------------------------------
class DecisionRequirementsGraph:
    """A parsed DMN resource: parse once (:func:`strom.dmn.parse_dmn`), evaluate many times.

    Immutable after parsing and safe to share between threads: each evaluation keeps its state
    in its own run.
    """

    def __init__(
        self,
        definitions: Definitions,
        types: TypeRegistry,
        imports: Mapping[str, DecisionRequirementsGraph] | None = None,
    ) -> None:
        self.definitions = definitions
        self.types = types
        self.imports: dict[str, DecisionRequirementsGraph] = dict(imports or {})
        self._definitions: dict[str, Definitions] = {}
        self._collect(self)
        self._decisions = {
            (d.namespace, d.id): d for defs in self._definitions.values() for d in defs.decisions.values()
        }
        self._inputs = {
            (i.namespace, i.id): i for defs in self._definitions.values() for i in defs.input_data.values()
        }
        self._knowledge = {
            (b.namespace, b.id): b
            for defs in self._definitions.values()
            for b in defs.knowledge_models.values()
        }
        self._services = {
            (s.namespace, s.id): s
            for defs in self._definitions.values()
            for s in defs.decision_services.values()
        }

    def _collect(self, graph: DecisionRequirementsGraph) -> None:
        if graph.namespace in self._definitions:
            return
        self._definitions[graph.namespace] = graph.definitions
        for other in graph.imports.values():
            self._collect(other)

    # -- identity --------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self.definitions.id

    @property
    def name(self) -> str:
        return self.definitions.name

    @property
    def namespace(self) -> str:
        return self.definitions.namespace

    @property
    def resource_name(self) -> str:
        return self.definitions.resource_name

    @property
    def decisions(self) -> tuple[Decision, ...]:
        """This resource's decisions in document order (id, name, version_tag, kind...)."""
        return tuple(self.definitions.decisions.values())

    @property
    def decision_services(self) -> tuple[DecisionService, ...]:
        return tuple(self.definitions.decision_services.values())

    def decision(self, decision_id: str) -> Decision | None:
        return self.definitions.decisions.get(decision_id)

    def _only_named(self, name: str) -> Decision | None:
        """The one decision called ``name`` — how a decision without an id (lenient parsing) is
        evaluated; None when no decision, or several, have that name."""
        found = [d for d in self.definitions.decisions.values() if d.name == name]
        return found[0] if len(found) == 1 else None

    def decision_by_name(self, name: str) -> Decision | None:
        for decision in self.definitions.decisions.values():
            if decision.name == name:
                return decision
        return None

    def __repr__(self) -> str:
        return f"<DecisionRequirementsGraph {self.id!r} ({len(self.definitions.decisions)} decisions)>"

    # -- evaluation ------------------------------------------------------------------------
    def evaluate(
        self, decision_id: str, variables: Mapping[str, Any] | None = None, *, mode: str = "strict"
    ) -> DecisionResult:
        """Evaluate a decision (and what it requires) with ``variables``; never raises for errors
        in the model or the data: those come back as ``failure`` (strict) or null plus a warning
        (``mode="dmn"``). ``decision_id`` may also be the name of exactly one decision (a decision
        without an id has only its name). Raises ``KeyError`` for an unknown decision.
        """
        decision = self.definitions.decisions.get(decision_id) or self._only_named(decision_id)
        if decision is None:
            raise KeyError(f"no decision with id '{decision_id}' in DRG '{self.id}'")
        run = Run(mode, variables if variables is not None else {})
        try:
            value = self._decision(decision, run)
        except Abort as abort:
            return self._failed(decision.id, decision.name, abort, run)
        except Exception as error:  # never take the engine down: an incident says more than a crash
            return self._failed(decision.id, decision.name, _unexpected(error), run)
        return DecisionResult(decision.id, decision.name, value, tuple(run.audit), None, tuple(run.warnings))

    def evaluate_decision_service(
        self, service_id: str, variables: Mapping[str, Any] | None = None, *, mode: str = "strict"
    ) -> DecisionResult:
        """Invoke a decision service with its inputs (input data and input decisions) by name.

        The result is the output decision's value, or a context of them when there are several.
        """
        service = self.definitions.decision_services.get(service_id)
        if service is None:
            raise KeyError(f"no decision service with id '{service_id}' in DRG '{self.id}'")
        given = variables if variables is not None else {}
        run = Run(mode, given)
        try:
            value = self._service(service, dict(given), run)
        except Abort as abort:
            return self._failed(service.id, service.name, abort, run)
        except Exception as error:
            return self._failed(service.id, service.name, _unexpected(error), run)
        return DecisionResult(service.id, service.name, value, tuple(run.audit), None, tuple(run.warnings))

    def evaluate_knowledge(
        self, bkm: str, arguments: Mapping[str, Any] | None = None, *, mode: str = "strict"
    ) -> DecisionResult:
        """Invoke a business knowledge model (by id, or by its name) with arguments by parameter name.

        A parameter left out is null, an unknown name fails; the result is converted to the output
        type of the BKM's function type, if it has one (how the DMN TCK invokes BKMs).
        """
        found = self.definitions.knowledge_models.get(bkm)
        if found is None:
            named = [k for k in self.definitions.knowledge_models.values() if k.name == bkm]
            found = named[0] if len(named) == 1 else None
        if found is None:
            raise KeyError(f"no business knowledge model '{bkm}' in DRG '{self.id}'")
        given = dict(arguments) if arguments is not None else {}
        run = Run(mode, given)
        try:
            function = self._bkm_function(found, run)
            unknown = [n for n in given if n not in function.params]
            if unknown:
                raise Abort(f"'{found.name}' has no parameter '{unknown[0]}'", found.id)
            value = function.func(*(given.get(p) for p in function.params))
        except Abort as abort:
            return self._failed(found.id, found.name, abort, run)
        except Exception as error:
            return self._failed(found.id, found.name, _unexpected(error), run)
        return DecisionResult(found.id, found.name, value, tuple(run.audit), None, tuple(run.warnings))

    def _failed(self, called_id: str, called_name: str, abort: Abort, run: Run) -> DecisionResult:
        failed = abort.decision_id or called_id
        message = f"Expected to evaluate decision '{called_id}', but {abort.message}"
        return DecisionResult(
            called_id,
            called_name,
            None,
            tuple(run.audit),
            DecisionFailure(message, failed),
            tuple(run.warnings),
        )

    # -- decisions -------------------------------------------------------------------------
    def _decision(self, decision: Decision, run: Run) -> Any:
        key = (decision.namespace, decision.id)
        memo = run.memo
        if key in memo:
            return memo[key]
        defs = self._definitions[decision.namespace]
        requires = decision.required_inputs or decision.required_decisions or decision.required_knowledge
        # the variables themselves when nothing is added: a table over process variables (the
        # usual business rule task) neither copies them nor reads more than its expressions do
        scope: Any = dict(run.variables) if requires else run.variables
        saved = run.element
        run.element = decision.id
        run.depth += 1
        outcome: TableOutcome | None = None
        try:
            if run.depth > MAX_DEPTH:
                run.fail(f"decisions nested deeper than {MAX_DEPTH} levels", decision.id)
            for ref in decision.required_inputs:
                data = self._inputs[(ref.namespace, ref.id)]
                _bind(scope, defs, data.namespace, data.name, self._input(data, run))
            for ref in decision.required_decisions:
                required = self._decisions[(ref.namespace, ref.id)]
                result = self._decision(required, run)
                for name in required.result_names:
                    _bind(scope, defs, required.namespace, name, result)
            for ref in decision.required_knowledge:
                name, function = self._knowledge_function(ref, run)
                _bind(scope, defs, ref.namespace, name, function)
            logic = decision.logic
            if logic is None:
                run.fail(f"decision '{decision.name}' has no decision logic", decision.id)
                value = None
            elif type(logic) is DecisionTable:
                outcome = evaluate_table(logic, scope, run)
                value = outcome.value
                if logic.type is not None:
                    value = run.conform(
                        value,
                        logic.type,
                        "the value of the decision table",
                        logic.id or decision.id,
                        advisory=True,
                    )
            else:
                value = evaluate_expression(logic, scope, run)
            value = run.conform(
                value, decision.type, "the result of decision '{}'", decision.id, name=decision.name
            )
        except Abort as abort:
            if not abort.decision_id:
                abort.decision_id = decision.id
                run.audit.append(_audit(decision, None, outcome))
            raise
        finally:
            run.depth -= 1
            run.element = saved
        memo[key] = value
        run.audit.append(_audit(decision, value, outcome))
        return value

    def _input(self, data: InputData, run: Run) -> Any:
        key = (data.namespace, data.id)
        if key in run.inputs:
            return run.inputs[key]
        variables = run.variables
        raw = None
        defs = self.definitions
        prefix = defs.import_name(data.namespace)
        if (
            prefix is not None
            and isinstance(variables.get(prefix), Mapping)
            and data.name in variables[prefix]
        ):
            raw = variables[prefix][data.name]
        elif data.name in variables:
            raw = variables[data.name]
        value = from_python(raw) if type(raw) is float else raw
        value = run.conform(value, data.type, "input data '{}'", data.id, name=data.name)
        run.inputs[key] = value
        return value

    # -- functions -------------------------------------------------------------------------
    def _knowledge_function(self, ref: Reference, run: Run) -> tuple[str, Any]:
        key = (ref.namespace, ref.id)
        bkm = self._knowledge.get(key)
        if bkm is not None:
            return bkm.name, self._bkm_function(bkm, run)
        service = self._services[key]
        return service.name, self._service_function(service, run)

    def _bkm_function(self, bkm: BusinessKnowledgeModel, run: Run) -> Any:
        key = (bkm.namespace, bkm.id)
        cached = run.functions.get(key)
        if cached is not None:
            return cached
        scope: dict[str, Any] = {}
        if bkm.logic is None:

            def missing(*_args: Any) -> Any:
                run.fail(f"business knowledge model '{bkm.name}' has no logic", bkm.id)
                return None

            function: Any = UserFunction((), missing, bkm.name)
        else:
            function = make_function(bkm.logic, scope, run, bkm.name, bkm.id)
            target = bkm.type.result if bkm.type is not None and bkm.type.base == "function" else None
            if target is not None:  # the variable's function type converts what the logic returns
                function = _with_result_type(function, target, run, bkm)
        run.functions[key] = function
        scope[bkm.name] = function  # a BKM may call itself without requiring itself
        defs = self._definitions[bkm.namespace]
        for ref in bkm.required_knowledge:  # after caching: a BKM may require itself
            name, required = self._knowledge_function(ref, run)
            _bind(scope, defs, ref.namespace, name, required)
        return function

    def _service_function(self, service: DecisionService, run: Run) -> Any:
        key = (service.namespace, service.id)
        cached = run.functions.get(key)
        if cached is not None:
            return cached
        names = [self._inputs[(r.namespace, r.id)].name for r in service.input_data]
        names += [self._decisions[(r.namespace, r.id)].name for r in service.input_decisions]

        def call(*args: Any) -> Any:
            return self._service(service, dict(zip(names, args, strict=False)), run)

        function = UserFunction(tuple(names), call, service.name)
        run.functions[key] = function
        return function

    def _service(self, service: DecisionService, inputs: dict[str, Any], run: Run) -> Any:
        """Evaluate a decision service's output decisions from its inputs alone (DMN 1.5, 10.4)."""
        sub = Run(run.mode, inputs)
        sub.warnings = run.warnings
        sub.audit = run.audit
        sub.depth = run.depth + 1
        sub.element = service.id
        if sub.depth > MAX_DEPTH:
            run.fail(f"decision services nested deeper than {MAX_DEPTH} levels", service.id)
            return None
        for ref in service.input_decisions:
            decision = self._decisions[(ref.namespace, ref.id)]
            value = inputs.get(decision.name)
            value = from_python(value) if type(value) is float else value
            sub.memo[(decision.namespace, decision.id)] = sub.conform(
                value, decision.type, f"input decision '{decision.name}' of '{service.name}'", service.id
            )
        outputs = [self._decisions[(r.namespace, r.id)] for r in service.output_decisions]
        values = [self._decision(decision, sub) for decision in outputs]
        if len(outputs) == 1:
            result: Any = values[0]
        else:
            result = {d.name: v for d, v in zip(outputs, values, strict=True)}
        target = service.type
        if target is not None and target.base == "function":
            target = target.result
        return run.conform(result, target, f"the result of decision service '{service.name}'", service.id)


def _with_result_type(
    function: UserFunction, target: Any, run: Run, bkm: BusinessKnowledgeModel
) -> UserFunction:
    """``function`` whose results conform to ``target`` (a singleton list to its element, …)."""
    inner = function.func

    def call(*args: Any) -> Any:
        result = inner(*args)
        return run.conform(result, target, f"the result of business knowledge model '{bkm.name}'", bkm.id)

    return UserFunction(function.params, call, function.name)


def _unexpected(error: Exception) -> Abort:
    if isinstance(error, RecursionError):
        return Abort("the evaluation nested too deeply (a very long chain of decisions or calls?)")
    return Abort(f"the evaluation failed unexpectedly: {type(error).__name__}: {error}")


def _bind(scope: dict[str, Any], defs: Definitions, namespace: str, name: str, value: Any) -> None:
    """Make ``name`` visible, under its import's name when it comes from another model."""
    prefix = defs.import_name(namespace)
    if prefix is None:
        scope[name] = value
        return
    existing = scope.get(prefix)
    merged = dict(existing) if isinstance(existing, Mapping) else {}
    merged[name] = value
    scope[prefix] = merged


#: Zeebe's DecisionType values; other decision logic (DMN 1.5's boxed conditionals, iterators,
#: filters, a bare function definition) is UNKNOWN there too
ZEEBE_DECISION_TYPES = frozenset(
    {"DECISION_TABLE", "LITERAL_EXPRESSION", "CONTEXT", "INVOCATION", "LIST", "RELATION"}
)


def _audit(decision: Decision, value: Any, outcome: TableOutcome | None) -> EvaluatedDecision:
    kind = decision.kind if decision.kind in ZEEBE_DECISION_TYPES else "UNKNOWN"
    if outcome is None:
        return EvaluatedDecision(decision.id, decision.name, kind, value)
    inputs = tuple(EvaluatedInput(clause.id, clause.name, v) for clause, v in outcome.inputs)
    rules = tuple(
        MatchedRule(
            rule.id,
            rule.index,
            tuple(EvaluatedOutput(clause.id, clause.display_name, v) for clause, v in outs),
        )
        for rule, outs in outcome.matched
    )
    return EvaluatedDecision(decision.id, decision.name, kind, value, inputs, rules)
