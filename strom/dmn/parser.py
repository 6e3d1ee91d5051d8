"""DMN 1.1–1.5 XML -> :class:`~strom.dmn.model.Definitions`, with every problem collected.

The reader walks the document once to learn every name the model declares (FEEL needs names
with operator characters such as ``Pre-bureau risk`` up front), then builds the DRG elements and
compiles each FEEL text. Problems are collected, not raised one by one, so a modeler sees all of
them in one deployment attempt; each names the element id and the source line.

The five DMN model namespaces are read alike: the elements the evaluator needs kept their names
and shapes across versions, and the differences (QName ``typeRef`` in 1.1, boxed conditionals and
iterators in 1.5) are handled where they occur.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from lxml import etree

from strom.feel import (
    CompiledExpression,
    CompiledUnaryTests,
    FeelSyntaxError,
    compile_expression,
    compile_unary_tests,
)

from ._xml import DEFAULT_MAX_SIZE, DMN_NAMESPACES, load_document
from .errors import DmnValidationError, Problem
from .evaluation import DecisionRequirementsGraph
from .item_definitions import DmnType, TypeRegistry
from .model import (
    Aggregation,
    Binding,
    BusinessKnowledgeModel,
    Conditional,
    Context,
    ContextEntry,
    Decision,
    DecisionService,
    DecisionTable,
    DeferredError,
    Definitions,
    Expression,
    Filter,
    FunctionDefinition,
    HitPolicy,
    Import,
    InputClause,
    InputData,
    Invocation,
    ItemDefinition,
    ListExpression,
    LiteralExpression,
    OutputClause,
    Parameter,
    Reference,
    Relation,
    Rule,
    UnaryTests,
)
from .model import (
    Iterator as IteratorExpression,
)

__all__ = ["parse_definitions", "parse_dmn", "split_unary_tests"]

ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
FEEL_LANGUAGES = frozenset(
    {
        "",
        "http://www.omg.org/spec/FEEL/20140401",
        "http://www.omg.org/spec/DMN/20180521/FEEL/",
        "https://www.omg.org/spec/DMN/20191111/FEEL/",
        "https://www.omg.org/spec/DMN/20211108/FEEL/",
        "https://www.omg.org/spec/DMN/20230324/FEEL/",
        "feel",
        "FEEL",
    }
)
EXPRESSION_TAGS = frozenset(
    {
        "literalExpression",
        "decisionTable",
        "context",
        "list",
        "relation",
        "invocation",
        "functionDefinition",
        "conditional",
        "for",
        "some",
        "every",
        "filter",
    }
)
_HIT_POLICIES = {p.value: p for p in HitPolicy}
_AGGREGATIONS = {a.value: a for a in Aggregation}


def parse_dmn(
    data: bytes,
    *,
    resource_name: str = "",
    imports: Iterable[DecisionRequirementsGraph] = (),
    lenient: bool = False,
    max_size: int = DEFAULT_MAX_SIZE,
) -> DecisionRequirementsGraph:
    """Parse one DMN resource into a graph ready to evaluate; raises ``DmnValidationError``.

    ``imports``: already parsed graphs this model may import (matched by namespace); Zeebe
    deploys one DRG per resource, so the engine passes none. ``lenient``: accept what DMN allows
    but a Zeebe deployment does not — a FEEL syntax error fails only when its expression is
    evaluated (the DMN TCK breaks single decisions on purpose), a ``definitions`` element may
    lack its id. Deployment keeps it off.
    """
    imported = {graph.namespace: graph for graph in imports}
    definitions, types = _read(
        data,
        resource_name,
        {ns: g.definitions for ns, g in imported.items()},
        {ns: g.types for ns, g in imported.items()},
        lenient,
        max_size,
    )
    return DecisionRequirementsGraph(definitions, types, imported)


def parse_definitions(
    data: bytes, *, resource_name: str = "", max_size: int = DEFAULT_MAX_SIZE
) -> Definitions:
    """The model of one resource without an evaluator around it; raises ``DmnValidationError``."""
    return _read(data, resource_name, {}, {}, False, max_size)[0]


def _read(
    data: bytes,
    resource_name: str,
    imported: dict[str, Definitions],
    imported_types: dict[str, TypeRegistry],
    defer: bool,
    max_size: int,
) -> tuple[Definitions, TypeRegistry]:
    root = load_document(data, resource_name, max_size)
    reader = _Reader(root, resource_name, imported, imported_types, defer)
    definitions = reader.read()
    if reader.problems:
        raise DmnValidationError(reader.problems)
    assert reader.types is not None
    return definitions, reader.types


def split_unary_tests(text: str) -> list[str]:
    """Split ``"a", "b", [1..2]`` at top-level commas (not inside strings, brackets, calls)."""
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
        i += 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


class _Reader:
    def __init__(
        self,
        root: etree._Element,
        resource_name: str,
        imported: dict[str, Definitions],
        imported_types: dict[str, TypeRegistry],
        defer: bool,
    ) -> None:
        self.root = root
        self.model_ns = etree.QName(root).namespace or ""
        self.resource_name = resource_name
        self.imported = imported
        self.imported_types = imported_types
        self.defer = defer
        self.problems: list[Problem] = []
        #: (tag, name) -> line of the elements read without an id (lenient parsing only)
        self.without_id: dict[tuple[str, str], int] = {}
        self.namespace = root.get("namespace", "")
        #: names FEEL may meet anywhere: item components, context entries, relation columns,
        #: import names and what imported models declare (mostly read after a '.')
        self.path_names: tuple[str, ...] = ()
        #: names visible where the reader is: required elements, parameters, iterator variables
        self.scope: list[str] = []
        #: id -> name of this model's DRG elements, to name the requirements in scope
        self.element_names: dict[str, str] = {}
        self.types: TypeRegistry | None = None
        #: item definitions as ``instance of`` types for FEEL
        self.type_predicates: dict[str, Callable[[Any], bool]] = {}

    # -- helpers -------------------------------------------------------------------------
    def problem(self, element: etree._Element | None, element_id: str, message: str, line: int = 0) -> None:
        if not line and element is not None:
            line = element.sourceline or 0
        self.problems.append(Problem(self.resource_name, line, element_id, message))

    def children(self, element: etree._Element, tag: str) -> Iterator[etree._Element]:
        return iter(element.findall(f"{{{self.model_ns}}}{tag}"))

    def child(self, element: etree._Element, tag: str) -> etree._Element | None:
        return element.find(f"{{{self.model_ns}}}{tag}")

    def local(self, element: etree._Element) -> str:
        if not isinstance(element.tag, str):
            return ""
        q = etree.QName(element)
        return q.localname if q.namespace == self.model_ns else ""

    def text_of(self, element: etree._Element | None) -> str:
        if element is None:
            return ""
        text = self.child(element, "text")
        return (text.text or "") if text is not None else ""

    def owner_id(self, element: etree._Element) -> str:
        """The nearest id for a message: the element's, else its closest ancestor's."""
        node: etree._Element | None = element
        while node is not None:
            ident = node.get("id")
            if ident:
                return ident
            node = node.getparent()
        return ""

    def variable_type(self, element: etree._Element) -> str:
        variable = self.child(element, "variable")
        return variable.get("typeRef", "") if variable is not None else ""

    def resolve_type(self, type_ref: str) -> DmnType | None:
        assert self.types is not None
        return self.types.resolve(type_ref) if type_ref else None

    def reference(self, element: etree._Element) -> Reference | None:
        href = element.get("href", "")
        if "#" not in href:
            self.problem(
                element, self.owner_id(element), f"Expected a reference 'href=\"#id\"', found '{href}'"
            )
            return None
        namespace, _, ident = href.partition("#")
        return Reference(namespace or self.namespace, ident)

    # -- FEEL ------------------------------------------------------------------------------
    def compile_expression(
        self, text: str, element: etree._Element, where: str, extra: Iterable[str] = ()
    ) -> CompiledExpression | FeelSyntaxError | None:
        try:
            return compile_expression(text, self.known(extra), self.type_predicates or None)
        except FeelSyntaxError as error:
            return self.feel_problem(error, text, element, where)

    def compile_tests(
        self, text: str, element: etree._Element, where: str
    ) -> CompiledUnaryTests | FeelSyntaxError | None:
        try:
            return compile_unary_tests(text, self.known(), self.type_predicates or None)
        except FeelSyntaxError as error:
            return self.feel_problem(error, text, element, where)

    def known(self, extra: Iterable[str] = ()) -> tuple[str, ...]:
        """The names FEEL should recognise here (only names with operator characters matter).

        Scoped rather than global, so a parameter named ``Person.Gender`` inside a BKM does not
        swallow the path ``Person.Gender`` in a decision that invokes it.
        """
        return (*self.path_names, *self.scope, *extra)

    @contextlib.contextmanager
    def scoped(self, names: Iterable[str]) -> Iterator[None]:
        added = [n for n in names if n]
        self.scope.extend(added)
        try:
            yield
        finally:
            del self.scope[len(self.scope) - len(added) :]

    def requirement_names(self, refs: Iterable[Reference]) -> list[str]:
        names = self.element_names
        local = [r.id for r in refs if r.namespace == self.namespace]
        return [names.get(i, "") for i in local] + [names.get(i + "#variable", "") for i in local]

    def feel_problem(
        self, error: FeelSyntaxError, text: str, element: etree._Element, where: str
    ) -> FeelSyntaxError | None:
        if self.defer:
            return error
        text_el = self.child(element, "text")
        line = ((text_el if text_el is not None else element).sourceline or 0) + error.line - 1
        shown = text if len(text) <= 80 else text[:77] + "..."
        self.problem(
            element,
            self.owner_id(element),
            f"Invalid FEEL in {where} '{shown}': {error.message} (column {error.column})",
            line,
        )
        return None

    # -- the document ----------------------------------------------------------------------
    def read(self) -> Definitions:
        root = self.root
        version = DMN_NAMESPACES[self.model_ns]
        definitions = Definitions(
            id=root.get("id", ""),
            name=root.get("name", ""),
            namespace=self.namespace,
            dmn_version=version,
            resource_name=self.resource_name,
        )
        if not definitions.id and not self.defer:
            self.problem(root, "", "The 'definitions' element must have an 'id' (it becomes the DRG id)")
        elif definitions.id and not _NCNAME.match(definitions.id):
            self.problem(root, definitions.id, f"The id '{definitions.id}' is not a valid XML id")
        definitions.imports = tuple(self.read_imports())
        self.path_names = self.collect_names(definitions)
        for el in root:
            if self.local(el) in ("decision", "inputData", "businessKnowledgeModel", "decisionService"):
                self.element_names[el.get("id", "")] = el.get("name", "")
                variable = self.child(el, "variable")
                if variable is not None and variable.get("name") not in (None, el.get("name")):
                    self.element_names[el.get("id", "") + "#variable"] = variable.get("name", "")
        definitions.names = tuple(sorted({*self.path_names, *self.element_names.values()} - {""}))

        items: dict[str, ItemDefinition] = {}
        for el in self.children(root, "itemDefinition"):
            item = self.item_definition(el)
            if item.name in items:
                self.problem(el, item.id or item.name, f"Item definition '{item.name}' is defined twice")
            items[item.name] = item
        definitions.item_definitions = items
        imported_registries = {
            imp.name: self.imported_types[imp.namespace]
            for imp in definitions.imports
            if imp.namespace in self.imported_types
        }
        self.types = TypeRegistry(items, self.item_tests, imported_registries)
        for name in items:  # resolved eagerly, so problems in allowedValues show at parse time
            resolved = self.types.resolve(name)
            if resolved is not None:
                self.type_predicates[name] = _instance_predicate(resolved)

        seen: dict[str, int] = {}
        for el in root:
            tag = self.local(el)
            if tag not in ("decision", "inputData", "businessKnowledgeModel", "decisionService"):
                continue
            ident = el.get("id", "")
            name = el.get("name", "")
            if not ident:
                if not self.defer or not name:
                    self.problem(el, name, _missing_id(tag, name))
                    continue
                # DMN makes ids optional: without one the element is found by its name only
                # (evaluate("Adult"), the TCK's result nodes), and no href can reach it
                ident = _NAMELESS_PREFIX + name
                self.without_id[(tag, name)] = el.sourceline or 0
            if ident in seen:
                self.problem(el, ident, f"The id '{ident}' is already used on line {seen[ident]}")
                continue
            if not _NCNAME.match(ident) and not ident.startswith(_NAMELESS_PREFIX):
                self.problem(
                    el, ident, f"The id '{ident}' is not a valid XML id (letters, digits, '_', '-', '.')"
                )
            seen[ident] = el.sourceline or 0
            if not name:
                self.problem(el, ident, f"The {tag} must have a 'name'")
            if tag == "decision":
                definitions.decisions[ident] = self.decision(el)
            elif tag == "inputData":
                definitions.input_data[ident] = InputData(
                    id=ident,
                    name=name,
                    line=el.sourceline or 0,
                    namespace=self.namespace,
                    type_ref=self.variable_type(el),
                    type=self.resolve_type(self.variable_type(el)),
                )
            elif tag == "businessKnowledgeModel":
                definitions.knowledge_models[ident] = self.knowledge_model(el)
            else:
                definitions.decision_services[ident] = self.decision_service(el)
        self.check_references(definitions)
        return definitions

    def read_imports(self) -> Iterator[Import]:
        for el in self.children(self.root, "import"):
            imp = Import(
                name=el.get("name", ""),
                namespace=el.get("namespace", ""),
                import_type=el.get("importType", ""),
                location=el.get("locationURI", ""),
            )
            if imp.import_type and imp.import_type not in DMN_NAMESPACES and "DMN" not in imp.import_type:
                self.problem(el, imp.name, f"Import of type '{imp.import_type}' is not supported (only DMN)")
            elif imp.namespace not in self.imported:
                self.problem(
                    el,
                    imp.name,
                    f"Imports the DMN model with namespace '{imp.namespace}', which was not provided",
                )
            yield imp

    def collect_names(self, definitions: Definitions) -> tuple[str, ...]:
        """The names a FEEL path may meet anywhere in this model (see ``path_names``)."""
        names: set[str] = set()
        for el in self.root.iter():
            tag = self.local(el)
            if tag in ("itemComponent", "column"):
                names.add(el.get("name", ""))
            elif tag == "variable":
                parent = el.getparent()
                if parent is not None and self.local(parent) == "contextEntry":
                    names.add(el.get("name", ""))
        for imp in definitions.imports:
            names.add(imp.name)
            other = self.imported.get(imp.namespace)
            if other is not None:
                names.update(other.names)
        return tuple(sorted(n for n in names if n.strip()))

    # -- item definitions ------------------------------------------------------------------
    def item_definition(self, el: etree._Element) -> ItemDefinition:
        type_ref_el = self.child(el, "typeRef")
        function_item = None
        fi = self.child(el, "functionItem")
        if fi is not None:
            params = tuple(p.get("typeRef", "") for p in self.children(fi, "parameters"))
            function_item = (params, fi.get("outputTypeRef", ""))
        return ItemDefinition(
            id=el.get("id", ""),
            name=el.get("name", ""),
            line=el.sourceline or 0,
            type_ref=(type_ref_el.text or "").strip() if type_ref_el is not None else "",
            is_collection=el.get("isCollection", "false") == "true",
            allowed_values=self.text_of(self.child(el, "allowedValues")),
            type_constraint=self.text_of(self.child(el, "typeConstraint")),
            components=tuple(self.item_definition(c) for c in self.children(el, "itemComponent")),
            function_item=function_item,
        )

    def item_tests(self, text: str, item: ItemDefinition) -> CompiledUnaryTests | None:
        try:
            return compile_unary_tests(text, self.known())
        except FeelSyntaxError as error:
            if not self.defer:
                self.problems.append(
                    Problem(
                        self.resource_name,
                        item.line,
                        item.id or item.name,
                        f"Invalid FEEL in the allowed values '{text}' of '{item.name}': {error.message}",
                    )
                )
            return None

    # -- DRG elements ----------------------------------------------------------------------
    def requirements(
        self, el: etree._Element
    ) -> tuple[tuple[Reference, ...], tuple[Reference, ...], tuple[Reference, ...]]:
        decisions: list[Reference] = []
        inputs: list[Reference] = []
        knowledge: list[Reference] = []
        for req in self.children(el, "informationRequirement"):
            for ref_el in self.children(req, "requiredDecision"):
                ref = self.reference(ref_el)
                if ref is not None:
                    decisions.append(ref)
            for ref_el in self.children(req, "requiredInput"):
                ref = self.reference(ref_el)
                if ref is not None:
                    inputs.append(ref)
        for req in self.children(el, "knowledgeRequirement"):
            for ref_el in self.children(req, "requiredKnowledge"):
                ref = self.reference(ref_el)
                if ref is not None:
                    knowledge.append(ref)
        return tuple(decisions), tuple(inputs), tuple(knowledge)

    def decision(self, el: etree._Element) -> Decision:
        decisions, inputs, knowledge = self.requirements(el)
        type_ref = self.variable_type(el)
        version_tag = ""
        ext = self.child(el, "extensionElements")
        if ext is not None:
            tag = ext.find(f"{{{ZEEBE_NS}}}versionTag")
            if tag is not None:
                version_tag = tag.get("value", "")
        variable = self.child(el, "variable")
        return Decision(
            id=el.get("id", ""),
            name=el.get("name", ""),
            line=el.sourceline or 0,
            namespace=self.namespace,
            variable_name=variable.get("name", "") if variable is not None else "",
            type_ref=type_ref,
            type=self.resolve_type(type_ref),
            required_decisions=decisions,
            required_inputs=inputs,
            required_knowledge=knowledge,
            logic=self.with_scope(
                self.requirement_names((*decisions, *inputs, *knowledge)),
                lambda: self.expression_in(el, optional=True),
            ),
            version_tag=version_tag,
        )

    def knowledge_model(self, el: etree._Element) -> BusinessKnowledgeModel:
        knowledge = self.requirements(el)[2]
        logic_el = self.child(el, "encapsulatedLogic")
        logic = None
        if logic_el is not None:
            with self.scoped([el.get("name", ""), *self.requirement_names(knowledge)]):
                logic = self.function_definition(logic_el)
        type_ref = self.variable_type(el)
        return BusinessKnowledgeModel(
            id=el.get("id", ""),
            name=el.get("name", ""),
            line=el.sourceline or 0,
            namespace=self.namespace,
            type_ref=type_ref,
            type=self.resolve_type(type_ref),
            logic=logic,
            required_knowledge=knowledge,
        )

    def with_scope(self, names: Iterable[str], read: Callable[[], Expression | None]) -> Expression | None:
        with self.scoped(names):
            return read()

    def decision_service(self, el: etree._Element) -> DecisionService:
        def refs(tag: str) -> tuple[Reference, ...]:
            found = (self.reference(r) for r in self.children(el, tag))
            return tuple(r for r in found if r is not None)

        type_ref = self.variable_type(el)
        return DecisionService(
            id=el.get("id", ""),
            name=el.get("name", ""),
            line=el.sourceline or 0,
            namespace=self.namespace,
            type_ref=type_ref,
            type=self.resolve_type(type_ref),
            output_decisions=refs("outputDecision"),
            encapsulated_decisions=refs("encapsulatedDecision"),
            input_decisions=refs("inputDecision"),
            input_data=refs("inputData"),
        )

    # -- expressions -----------------------------------------------------------------------
    def expression_in(self, el: etree._Element, optional: bool = False) -> Expression | None:
        """The one expression element below ``el`` (a decision, entry, binding, ``<in>``...)."""
        for child in el:
            tag = self.local(child)
            if tag in EXPRESSION_TAGS:
                return self.expression(child)
        if not optional:
            self.problem(
                el, self.owner_id(el), f"The '{self.local(el) or el.tag}' element needs an expression"
            )
        return None

    def expression(self, el: etree._Element, literal: bool = False) -> Expression | None:
        """Read an expression element; ``literal``: one of the literal expressions that go by
        another tag (``inputExpression``, ``outputEntry``, ``defaultOutputEntry``)."""
        tag = "literalExpression" if literal else self.local(el)
        reader: Callable[[etree._Element], Expression | None] = getattr(self, "x_" + tag)
        expr = reader(el)
        if expr is not None:
            expr.id = el.get("id", "")
            expr.line = el.sourceline or 0
            expr.type_ref = el.get("typeRef", "")
            expr.type = self.resolve_type(expr.type_ref)
        return expr

    def x_literalExpression(self, el: etree._Element) -> Expression:
        language = el.get("expressionLanguage", "")
        text = self.text_of(el)
        external = _EXTERNAL.match(text)
        if external is not None and language in FEEL_LANGUAGES:
            return self.external_function(el, external)
        if language not in FEEL_LANGUAGES:
            self.problem(
                el, self.owner_id(el), f"Expression language '{language}' is not supported (only FEEL)"
            )
        literal = LiteralExpression(text=text)
        if text.strip():
            literal.feel = self.compile_expression(text, el, "expression")
        return literal

    def external_function(self, el: etree._Element, match: re.Match[str]) -> Expression:
        """``function(a, b) external {java: {...}}`` as a whole literal expression.

        FEEL (strom.feel) does not evaluate external functions; a literal expression that *is*
        one becomes the equivalent boxed function definition (kind Java, or PMML), whose body is
        the mapping FEEL would have read.
        """
        params = tuple(Parameter(name=p.strip()) for p in match.group(1).split(",") if p.strip())
        mapping = match.group(2)
        kind = "PMML" if re.match(r"\{\s*pmml\s*:", mapping) else "Java"
        body = LiteralExpression(text=mapping, id=el.get("id", ""), line=el.sourceline or 0)
        body.feel = self.compile_expression(mapping, el, "external function")
        return FunctionDefinition(kind_=kind, parameters=params, body=body)

    def x_context(self, el: etree._Element) -> Expression:
        entries: list[ContextEntry] = []
        for entry_el in self.children(el, "contextEntry"):
            entry_variable = self.child(entry_el, "variable")
            if entry_variable is not None:
                self.scope.append(entry_variable.get("name", ""))
            variable = self.child(entry_el, "variable")
            value = self.expression_in(entry_el)
            if value is None:
                value = LiteralExpression(text="")
            type_ref = variable.get("typeRef", "") if variable is not None else ""
            entries.append(
                ContextEntry(
                    name=variable.get("name", "") if variable is not None else None,
                    value=value,
                    id=entry_el.get("id", ""),
                    line=entry_el.sourceline or 0,
                    type_ref=type_ref,
                    type=self.resolve_type(type_ref),
                )
            )
        del self.scope[len(self.scope) - sum(1 for e in entries if e.name is not None) :]
        for entry in entries[:-1]:
            if entry.name is None:
                self.problem(
                    el, entry.id or self.owner_id(el), "Only the last context entry may omit its variable"
                )
        return Context(entries=tuple(entries))

    def x_list(self, el: etree._Element) -> Expression:
        items = (self.expression(c) for c in el if self.local(c) in EXPRESSION_TAGS)
        return ListExpression(items=tuple(i for i in items if i is not None))

    def x_relation(self, el: etree._Element) -> Expression:
        columns = tuple(
            Parameter(
                name=c.get("name", ""),
                type_ref=c.get("typeRef", ""),
                type=self.resolve_type(c.get("typeRef", "")),
            )
            for c in self.children(el, "column")
        )
        rows: list[tuple[Expression, ...]] = []
        for row_el in self.children(el, "row"):
            cells = [self.expression(c) for c in row_el if self.local(c) in EXPRESSION_TAGS]
            row = tuple(c if c is not None else LiteralExpression(text="") for c in cells)
            if len(row) != len(columns):
                self.problem(
                    row_el,
                    self.owner_id(row_el),
                    f"A relation row has {len(row)} cells but the relation has {len(columns)} columns",
                )
            rows.append(row)
        return Relation(columns=columns, rows=tuple(rows))

    def x_invocation(self, el: etree._Element) -> Expression | None:
        callee = self.expression_in(el)
        bindings: list[Binding] = []
        for binding_el in self.children(el, "binding"):
            parameter = self.child(binding_el, "parameter")
            name = parameter.get("name", "") if parameter is not None else ""
            if not name:
                self.problem(binding_el, self.owner_id(binding_el), "A binding needs a parameter name")
            bindings.append(Binding(parameter=name, value=self.expression_in(binding_el, optional=True)))
        names = [b.parameter for b in bindings]
        for name in set(names):
            if names.count(name) > 1:
                self.problem(el, self.owner_id(el), f"The parameter '{name}' is bound twice")
        if callee is None:
            return None
        return Invocation(callee=callee, bindings=tuple(bindings))

    def x_functionDefinition(self, el: etree._Element) -> Expression:
        return self.function_definition(el)

    def function_definition(self, el: etree._Element) -> FunctionDefinition:
        kind = el.get("kind", "FEEL")
        if kind not in ("FEEL", "Java", "PMML"):
            self.problem(
                el, self.owner_id(el), f"Unknown function kind '{kind}' (expected FEEL, Java or PMML)"
            )
        params = tuple(
            Parameter(
                name=p.get("name", ""),
                type_ref=p.get("typeRef", ""),
                type=self.resolve_type(p.get("typeRef", "")),
            )
            for p in self.children(el, "formalParameter")
        )
        with self.scoped(p.name for p in params):
            body = self.expression_in(el, optional=True)
        definition = FunctionDefinition(kind_=kind, parameters=params, body=body)
        definition.id = el.get("id", "")
        definition.line = el.sourceline or 0
        definition.type_ref = el.get("typeRef", "")
        definition.type = self.resolve_type(definition.type_ref)
        return definition

    def x_conditional(self, el: etree._Element) -> Expression | None:
        parts = []
        for tag in ("if", "then", "else"):
            part_el = self.child(el, tag)
            if part_el is None:
                self.problem(el, self.owner_id(el), f"A conditional needs an '{tag}' element")
                return None
            parts.append(self.expression_in(part_el))
        if None in parts:
            return None
        condition, then, otherwise = parts
        assert condition is not None and then is not None and otherwise is not None
        return Conditional(condition=condition, then=then, otherwise=otherwise)

    def iterator(self, el: etree._Element, operator: str, body_tag: str) -> Expression | None:
        variable = el.get("iteratorVariable", "")
        if not variable:
            self.problem(el, self.owner_id(el), f"A boxed '{operator}' needs an 'iteratorVariable'")
        in_el = self.child(el, "in")
        body_el = self.child(el, body_tag)
        if in_el is None or body_el is None:
            self.problem(el, self.owner_id(el), f"A boxed '{operator}' needs 'in' and '{body_tag}' elements")
            return None
        source = self.expression_in(in_el)
        with self.scoped([variable]):
            body = self.expression_in(body_el)
        if source is None or body is None:
            return None
        source_type_ref = in_el.get("typeRef", "")
        return IteratorExpression(
            operator=operator,
            variable=variable,
            source=source,
            body=body,
            source_type_ref=source_type_ref,
            source_type=self.resolve_type(source_type_ref),
        )

    def x_for(self, el: etree._Element) -> Expression | None:
        return self.iterator(el, "for", "return")

    def x_some(self, el: etree._Element) -> Expression | None:
        return self.iterator(el, "some", "satisfies")

    def x_every(self, el: etree._Element) -> Expression | None:
        return self.iterator(el, "every", "satisfies")

    def x_filter(self, el: etree._Element) -> Expression | None:
        in_el = self.child(el, "in")
        match_el = self.child(el, "match")
        if in_el is None or match_el is None:
            self.problem(el, self.owner_id(el), "A boxed filter needs 'in' and 'match' elements")
            return None
        source = self.expression_in(in_el)
        with self.scoped(["item"]):
            match = self.expression_in(match_el)
        if source is None or match is None:
            return None
        return Filter(source=source, match=match)

    # -- decision tables -------------------------------------------------------------------
    def unary_tests(self, el: etree._Element | None, where: str, split: bool = False) -> UnaryTests | None:
        if el is None:
            return None
        text = self.text_of(el)
        tests = UnaryTests(id=el.get("id", ""), line=el.sourceline or 0, text=text)
        if tests.matches_all:
            return tests
        compiled = self.compile_tests(text, el, where)
        tests.feel = compiled
        if split and isinstance(compiled, CompiledUnaryTests):
            parts: list[CompiledUnaryTests] = []
            for part in split_unary_tests(text):
                try:
                    parts.append(compile_unary_tests(part, self.known(), self.type_predicates or None))
                except FeelSyntaxError:
                    parts = []
                    break
            tests.parts = tuple(parts)
        return tests

    def x_decisionTable(self, el: etree._Element) -> Expression:
        owner = self.owner_id(el)
        policy_text = el.get("hitPolicy", "UNIQUE")
        hit_policy = _HIT_POLICIES.get(policy_text)
        if hit_policy is None:
            self.problem(el, owner, f"Unknown hit policy '{policy_text}'")
            hit_policy = HitPolicy.UNIQUE
        aggregation = None
        aggregation_text = el.get("aggregation")
        if aggregation_text:
            aggregation = _AGGREGATIONS.get(aggregation_text)
            if aggregation is None:
                self.problem(
                    el, owner, f"Unknown aggregation '{aggregation_text}' (expected SUM, MIN, MAX or COUNT)"
                )
            elif hit_policy is not HitPolicy.COLLECT:
                self.problem(
                    el, owner, f"An aggregation needs the COLLECT hit policy, not {hit_policy.value}"
                )
                aggregation = None

        inputs: list[InputClause] = []
        for input_el in self.children(el, "input"):
            expr_el = self.child(input_el, "inputExpression")
            if expr_el is None:
                self.problem(
                    input_el, input_el.get("id", owner), "A decision table input needs an 'inputExpression'"
                )
                continue
            expression = self.expression(expr_el, literal=True)
            assert isinstance(expression, LiteralExpression)
            if not expression.text.strip():
                self.problem(expr_el, input_el.get("id", owner), "A decision table input expression is empty")
            inputs.append(
                InputClause(
                    id=input_el.get("id", ""),
                    line=input_el.sourceline or 0,
                    label=input_el.get("label", ""),
                    expression=expression,
                    input_values=self.unary_tests(self.child(input_el, "inputValues"), "input values"),
                )
            )

        outputs: list[OutputClause] = []
        for output_el in self.children(el, "output"):
            default_el = self.child(output_el, "defaultOutputEntry")
            default = self.expression(default_el, literal=True) if default_el is not None else None
            type_ref = output_el.get("typeRef", "")
            outputs.append(
                OutputClause(
                    id=output_el.get("id", ""),
                    line=output_el.sourceline or 0,
                    label=output_el.get("label", ""),
                    name=output_el.get("name", ""),
                    type_ref=type_ref,
                    type=self.resolve_type(type_ref),
                    output_values=self.unary_tests(
                        self.child(output_el, "outputValues"), "output values", split=True
                    ),
                    default=default if isinstance(default, LiteralExpression) else None,
                )
            )
        if not outputs:
            self.problem(el, owner, "A decision table needs at least one output")
        if len(outputs) > 1:
            for output in outputs:
                if not output.name:
                    self.problem(
                        el,
                        output.id or owner,
                        "Each output of a decision table with several outputs needs a 'name'",
                        output.line,
                    )
            if aggregation is not None:
                self.problem(
                    el, owner, f"The {aggregation.value} aggregation needs a table with a single output"
                )

        rules: list[Rule] = []
        for index, rule_el in enumerate(self.children(el, "rule"), start=1):
            rule_id = rule_el.get("id", "")
            entries = [self.unary_tests(e, "input entry") for e in self.children(rule_el, "inputEntry")]
            outs = [self.expression(e, literal=True) for e in self.children(rule_el, "outputEntry")]
            if len(entries) != len(inputs):
                self.problem(
                    rule_el,
                    rule_id or owner,
                    f"Rule {index} has {len(entries)} input entries but the table has {len(inputs)} inputs",
                )
            if len(outs) != len(outputs):
                self.problem(
                    rule_el,
                    rule_id or owner,
                    f"Rule {index} has {len(outs)} output entries but the table has {len(outputs)} outputs",
                )
            input_entries = tuple(e for e in entries if e is not None)
            rules.append(
                Rule(
                    id=rule_id,
                    line=rule_el.sourceline or 0,
                    index=index,
                    input_entries=input_entries,
                    output_entries=tuple(o for o in outs if isinstance(o, LiteralExpression)),
                    tests=tuple(
                        (i, e.feel if isinstance(e.feel, CompiledUnaryTests) else DeferredError(e.feel))
                        for i, e in enumerate(input_entries)
                        if e.feel is not None
                    ),
                )
            )
        return DecisionTable(
            hit_policy=hit_policy,
            aggregation=aggregation,
            inputs=tuple(inputs),
            outputs=tuple(outputs),
            rules=tuple(rules),
            output_label=el.get("outputLabel", ""),
        )

    # -- references ------------------------------------------------------------------------
    def nameless_hint(self, tag: str, ref: Reference) -> str:
        """When an href names an element that exists but has no id, say so."""
        if ref.namespace == self.namespace and (tag, ref.id) in self.without_id:
            line = self.without_id[(tag, ref.id)]
            return f" (the {tag} named '{ref.id}' on line {line} has no 'id', and a reference needs one)"
        return ""

    def check_references(self, definitions: Definitions) -> None:
        def lookup(ref: Reference, table: str) -> bool:
            if ref.namespace == self.namespace:
                return ref.id in getattr(definitions, table)
            other = self.imported.get(ref.namespace)
            return other is not None and ref.id in getattr(other, table)

        for decision in definitions.decisions.values():
            for ref in decision.required_decisions:
                if not lookup(ref, "decisions"):
                    self.problems.append(
                        Problem(
                            self.resource_name,
                            decision.line,
                            decision.id,
                            f"Requires the decision '{_show(ref, self.namespace)}', which is not defined"
                            + self.nameless_hint("decision", ref),
                        )
                    )
            for ref in decision.required_inputs:
                if not lookup(ref, "input_data"):
                    self.problems.append(
                        Problem(
                            self.resource_name,
                            decision.line,
                            decision.id,
                            f"Requires the input data '{_show(ref, self.namespace)}', which is not defined"
                            + self.nameless_hint("inputData", ref),
                        )
                    )
            for ref in decision.required_knowledge:
                if not (lookup(ref, "knowledge_models") or lookup(ref, "decision_services")):
                    self.problems.append(
                        Problem(
                            self.resource_name,
                            decision.line,
                            decision.id,
                            f"Requires the knowledge '{_show(ref, self.namespace)}', which is not defined",
                        )
                    )
        for bkm in definitions.knowledge_models.values():
            for ref in bkm.required_knowledge:
                if not (lookup(ref, "knowledge_models") or lookup(ref, "decision_services")):
                    self.problems.append(
                        Problem(
                            self.resource_name,
                            bkm.line,
                            bkm.id,
                            f"Requires the knowledge '{_show(ref, self.namespace)}', which is not defined",
                        )
                    )
        for service in definitions.decision_services.values():
            for refs, table, what in (
                (service.output_decisions, "decisions", "output decision"),
                (service.encapsulated_decisions, "decisions", "encapsulated decision"),
                (service.input_decisions, "decisions", "input decision"),
                (service.input_data, "input_data", "input data"),
            ):
                for ref in refs:
                    if not lookup(ref, table):
                        self.problems.append(
                            Problem(
                                self.resource_name,
                                service.line,
                                service.id,
                                f"Its {what} '{_show(ref, self.namespace)}' is not defined",
                            )
                        )
        self.check_cycles(definitions)

    def check_cycles(self, definitions: Definitions) -> None:
        state: dict[str, int] = {}

        def visit(decision: Decision, path: list[str]) -> None:
            state[decision.id] = 1
            for ref in decision.required_decisions:
                if ref.namespace != self.namespace:
                    continue
                target = definitions.decisions.get(ref.id)
                if target is None:
                    continue
                if state.get(target.id) == 1:
                    cycle = " -> ".join([*path[path.index(target.id) :], target.id])
                    self.problems.append(
                        Problem(
                            self.resource_name,
                            decision.line,
                            decision.id,
                            f"Decisions require each other in a cycle: {cycle}",
                        )
                    )
                elif target.id not in state:
                    visit(target, [*path, target.id])
            state[decision.id] = 2

        for decision in definitions.decisions.values():
            if decision.id not in state:
                visit(decision, [decision.id])


#: XML Schema's NCName, which DMN ids are (Zeebe's model API rejects others); Unicode letters too
_NCNAME = re.compile(r"^[^\W\d][\w.\-]*$")
_NAMELESS_PREFIX = "(no id) "  # not an XML id, so no href (#id) can name it


def _missing_id(tag: str, name: str) -> str:
    """Why an element needs an id, and one to add."""
    if not name:
        return f"The {tag} has neither an 'id' nor a 'name'"
    suggestion = re.sub(r"[^\w.\-]", "_", name)
    if not _NCNAME.match(suggestion):
        suggestion = "_" + suggestion
    record = " (the decisionId of its records)" if tag == "decision" else ""
    return (
        f"The {tag} '{name}' must have an 'id': Zeebe identifies it by id{record} and references "
        f'(href="#...") need one; add id="{suggestion}"'
    )


_EXTERNAL = re.compile(r"^\s*function\s*\(([^()]*)\)\s*external\s*(\{.*\})\s*$", re.DOTALL)


def _instance_predicate(target: DmnType) -> Callable[[Any], bool]:
    return lambda value: value is not None and target.conforms(value, constraints=False)


def _show(ref: Reference, own_namespace: str) -> str:
    return f"#{ref.id}" if ref.namespace == own_namespace else f"{ref.namespace}#{ref.id}"
