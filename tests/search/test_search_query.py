"""SearchStore over an exported scenario: the searches a REST client makes, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from _search_support import ORDERS, Scenario

from strom.search import SearchError, SearchStore
from strom.search.query import MAX_LIMIT


@pytest.fixture(scope="module")
def store(scenario_url: str) -> Iterator[SearchStore]:
    search_store = SearchStore(scenario_url)
    yield search_store
    search_store.close()


def keys(result: dict[str, Any], field: str = "processInstanceKey") -> list[int]:
    return [int(item[field]) for item in result["items"]]


def orders(store: SearchStore, **body: Any) -> dict[str, Any]:
    body.setdefault("filter", {})
    body["filter"] = {"processDefinitionId": "order", **body["filter"]}
    return store.search("processInstance", body)


# -- filters ----------------------------------------------------------------------------------------


def test_instances_by_process_id_and_state(store: SearchStore, scenario: Scenario) -> None:
    assert sorted(keys(orders(store))) == scenario.orders
    assert sorted(keys(orders(store, filter={"state": "COMPLETED"}))) == scenario.completed
    assert sorted(keys(orders(store, filter={"state": "TERMINATED"}))) == scenario.terminated
    assert sorted(keys(orders(store, filter={"state": "ACTIVE"}))) == scenario.active
    assert orders(store)["page"]["totalItems"] == ORDERS


def test_an_instance_item_has_camundas_fields(store: SearchStore, scenario: Scenario) -> None:
    [item] = orders(store, filter={"processInstanceKey": str(scenario.completed[0])})["items"]

    assert item["processInstanceKey"] == str(scenario.completed[0])
    assert item["processDefinitionKey"] == str(scenario.order_definition)
    assert (item["processDefinitionName"], item["processDefinitionVersion"]) == ("Order process", 1)
    assert (item["state"], item["hasIncident"], item["tenantId"]) == ("COMPLETED", False, "<default>")
    assert item["startDate"] == "2026-01-01T00:00:00.000Z"
    assert item["endDate"].endswith("Z") and item["parentProcessInstanceKey"] is None


def test_instances_having_a_variable_value(store: SearchStore, scenario: Scenario) -> None:
    found = orders(store, filter={"variables": [{"name": "customer", "value": '"c1"'}]})

    assert sorted(keys(found)) == [k for i, k in enumerate(scenario.orders) if i % 3 == 1]
    both = orders(
        store, filter={"variables": [{"name": "customer", "value": '"c1"'}, {"name": "n", "value": "4"}]}
    )
    assert keys(both) == [scenario.orders[4]]
    like = orders(store, filter={"variables": [{"name": "customer", "value": {"$in": ['"c0"', '"c2"']}}]})
    assert len(like["items"]) == ORDERS - len(found["items"])


def test_keys_are_accepted_as_strings_or_integers(store: SearchStore, scenario: Scenario) -> None:
    key = scenario.orders[3]

    assert keys(orders(store, filter={"processInstanceKey": str(key)})) == [key]
    assert keys(orders(store, filter={"processInstanceKey": key})) == [key]
    assert keys(orders(store, filter={"processInstanceKey": {"$in": [str(key), key + 0]}})) == [key]


def test_advanced_filters(store: SearchStore, scenario: Scenario) -> None:
    finished = orders(store, filter={"state": {"$in": ["COMPLETED", "TERMINATED"]}})
    assert sorted(keys(finished)) == scenario.completed + scenario.terminated
    assert sorted(keys(orders(store, filter={"state": {"$notIn": ["ACTIVE"]}}))) == sorted(keys(finished))
    assert sorted(keys(orders(store, filter={"state": {"$neq": "ACTIVE"}}))) == sorted(keys(finished))
    assert sorted(keys(orders(store, filter={"endDate": {"$exists": False}}))) == scenario.active

    by_like = store.search("processInstance", {"filter": {"processDefinitionId": {"$like": "or*"}}})
    assert by_like["page"]["totalItems"] == ORDERS
    assert (
        store.search("processInstance", {"filter": {"processDefinitionId": {"$like": "?rder"}}})["page"][
            "totalItems"
        ]
        == ORDERS
    )
    assert (
        store.search("processInstance", {"filter": {"processDefinitionId": {"$like": "OR*"}}})["page"][
            "totalItems"
        ]
        == 0
    ), "like is case-sensitive on every backend"


def test_date_ranges(store: SearchStore, scenario: Scenario) -> None:
    # Instance i started at 00:00:i.
    later = orders(store, filter={"startDate": {"$gt": "2026-01-01T00:00:19.000Z"}})
    assert sorted(keys(later)) == scenario.orders[20:]
    window = orders(
        store,
        filter={"startDate": {"$gte": "2026-01-01T00:00:05Z", "$lt": "2026-01-01T00:00:07.000+00:00"}},
    )
    assert sorted(keys(window)) == scenario.orders[5:7]


def test_or_of_filters(store: SearchStore, scenario: Scenario) -> None:
    either = orders(
        store,
        filter={"$or": [{"processInstanceKey": str(scenario.orders[0])}, {"state": "TERMINATED"}]},
    )
    assert sorted(keys(either)) == sorted([scenario.orders[0], *scenario.terminated])


def test_incident_then_flags(store: SearchStore, scenario: Scenario) -> None:
    with_incident = store.search("processInstance", {"filter": {"hasIncident": True}})
    child = store.search("processInstance", {"filter": {"parentProcessInstanceKey": str(scenario.parent)}})

    [child_item] = child["items"]
    assert sorted(keys(with_incident)) == sorted(
        [scenario.failed, scenario.parent, int(child_item["processInstanceKey"])]
    )
    assert child_item["rootProcessInstanceKey"] == str(scenario.parent)
    incidents = store.search("incident", {"filter": {"processInstanceKey": str(scenario.failed)}})
    [incident] = incidents["items"]
    assert (incident["state"], incident["errorType"], incident["errorMessage"]) == (
        "ACTIVE",
        "JOB_NO_RETRIES",
        "no stock",
    )
    [element] = store.search(
        "elementInstance", {"filter": {"processInstanceKey": str(scenario.failed), "elementId": "ship"}}
    )["items"]
    assert (element["hasIncident"], element["incidentKey"]) == (True, incident["incidentKey"])
    by_message = orders(store, filter={"errorMessage": {"$like": "no*"}})
    assert keys(by_message) == [scenario.failed]


def test_user_tasks_by_assignee_state_and_candidates(store: SearchStore, scenario: Scenario) -> None:
    [alice] = store.search("userTask", {"filter": {"assignee": "alice"}})["items"]
    assert alice["userTaskKey"] == str(scenario.tasks[0])
    assert (alice["name"], alice["state"], alice["processName"]) == ("Approve order", "CREATED", "Review")
    assert (alice["candidateGroups"], alice["candidateUsers"]) == (["sales", "ops"], ["carol"])

    completed = store.search("userTask", {"filter": {"state": "COMPLETED"}})
    assert keys(completed, "userTaskKey") == [scenario.tasks[1]]
    assert completed["items"][0]["completionDate"] is not None

    assert len(store.search("userTask", {"filter": {"candidateGroup": "ops"}})["items"]) == 3
    assert store.search("userTask", {"filter": {"candidateGroup": "op"}})["items"] == []
    assert len(store.search("userTask", {"filter": {"candidateUser": {"$in": ["x", "carol"]}}})["items"]) == 3
    unassigned = store.search("userTask", {"filter": {"assignee": {"$exists": False}, "state": "CREATED"}})
    assert keys(unassigned, "userTaskKey") == [scenario.tasks[2]]
    in_instance = store.search(
        "userTask", {"filter": {"processInstanceKey": str(scenario.review[2]), "elementId": "approve"}}
    )
    assert keys(in_instance, "userTaskKey") == [scenario.tasks[2]]


def test_jobs_by_type_state_and_worker(store: SearchStore, scenario: Scenario) -> None:
    completed = store.search("job", {"filter": {"type": "ship", "state": "COMPLETED"}})
    assert completed["page"]["totalItems"] == 10
    failed = store.search("job", {"filter": {"type": "ship", "state": "FAILED"}})
    [job] = failed["items"]
    assert (job["processInstanceKey"], job["retries"], job["errorMessage"]) == (
        str(scenario.failed),
        0,
        "no stock",
    )
    active = store.search("job", {"filter": {"type": "ship", "state": "CREATED", "worker": "test-worker"}})
    assert active["page"]["totalItems"] == ORDERS - 10 - 3 - 1
    canceled = store.search("job", {"filter": {"type": "ship", "state": "CANCELED"}})
    assert sorted(keys(canceled)) == scenario.terminated
    assert all(item["endTime"] for item in canceled["items"])


def test_variables_by_name_and_value(store: SearchStore, scenario: Scenario) -> None:
    found = store.search("variable", {"filter": {"name": "n", "value": "7"}})
    [item] = found["items"]
    assert (item["processInstanceKey"], item["scopeKey"], item["value"]) == (
        str(scenario.orders[7]),
        str(scenario.orders[7]),
        "7",
    )
    shipped = store.search("variable", {"filter": {"name": "shipped"}})
    assert shipped["page"]["totalItems"] == 10
    customers = store.search("variable", {"filter": {"name": "customer", "value": {"$like": '"c?"'}}})
    assert customers["page"]["totalItems"] == ORDERS


def test_long_variable_values_are_truncated_in_searches_only(store: SearchStore, scenario: Scenario) -> None:
    [note] = store.search("variable", {"filter": {"name": "note"}})["items"]

    assert note["isTruncated"] is True
    assert len(note["value"]) == 8191
    full = store.get("variable", note["variableKey"])
    assert full is not None and full["value"] == json.dumps(scenario.big_value)
    assert "isTruncated" not in full
    short = store.search("variable", {"filter": {"name": "n", "value": "0"}})["items"][0]
    assert short["isTruncated"] is False


def test_definitions_decisions_forms_and_subscriptions(store: SearchStore, scenario: Scenario) -> None:
    [order] = store.search("processDefinition", {"filter": {"processDefinitionId": "order"}})["items"]
    assert (order["name"], order["version"], order["resourceName"]) == ("Order process", 1, "order.bpmn")
    assert order["processDefinitionKey"] == str(scenario.order_definition)
    xml = store.process_definition_xml(scenario.order_definition)
    assert xml is not None and 'id="order"' in xml
    latest = store.search("processDefinition", {"filter": {"isLatestVersion": True}})
    assert latest["page"]["totalItems"] == 6

    [decision] = store.search("decisionDefinition", {"filter": {"decisionDefinitionId": "discount"}})["items"]
    assert (decision["name"], decision["decisionRequirementsName"]) == ("Discount", "Discounts")
    dmn = store.decision_definition_xml(decision["decisionDefinitionKey"])
    assert dmn is not None and "drg_discount" in dmn
    assert store.decision_requirements_xml(decision["decisionRequirementsKey"]) == dmn

    [instance] = store.search("decisionInstance", {"filter": {"processInstanceKey": str(scenario.rules)}})[
        "items"
    ]
    assert (instance["state"], instance["result"], instance["decisionDefinitionType"]) == (
        "EVALUATED",
        "0.15",
        "DECISION_TABLE",
    )
    full = store.get("decisionInstance", instance["decisionEvaluationInstanceKey"])
    assert full is not None
    assert full["matchedRules"][0]["ruleId"] == "gold"
    assert full["evaluatedInputs"][0]["inputValue"] == '"gold"'

    [form] = store.search("form", {"filter": {"formId": "approval"}})["items"]
    assert (form["version"], json.loads(form["schema"])["id"]) == (1, "approval")

    subscriptions = store.search(
        "messageSubscription",
        {"sort": [{"field": "correlationKey"}], "filter": {"messageName": "order-paid"}},
    )
    states = [(s["correlationKey"], s["messageSubscriptionState"]) for s in subscriptions["items"]]
    assert states == [("o1", "CORRELATED"), ("o2", "CREATED")]


def test_sequence_flows_of_an_instance(store: SearchStore, scenario: Scenario) -> None:
    flows = store.search("sequenceFlow", {"filter": {"processInstanceKey": str(scenario.completed[0])}})

    assert sorted(item["elementId"] for item in flows["items"]) == ["flow_ship_done", "flow_start_ship"]


def test_get_each_entity_and_missing_keys(store: SearchStore, scenario: Scenario) -> None:
    instance = store.get("processInstance", scenario.orders[0])
    assert instance is not None and instance["processInstanceKey"] == str(scenario.orders[0])
    assert store.get("processInstance", str(scenario.orders[0])) == instance
    assert store.get("processInstance", 1) is None
    assert store.get("decisionInstance", "1-1") is None
    task = store.get("userTask", scenario.tasks[0])
    assert task is not None and task["assignee"] == "alice"


def test_exported_position(store: SearchStore, scenario: Scenario) -> None:
    assert store.exported_position(1) == scenario.records[-1].position
    assert store.exported_position(2) == 0


# -- sorting and paging -----------------------------------------------------------------------------


def test_sort_by_start_date_descending(store: SearchStore, scenario: Scenario) -> None:
    result = orders(store, sort=[{"field": "startDate", "order": "DESC"}])

    assert keys(result) == list(reversed(scenario.orders))
    ascending = orders(store, sort=[{"field": "startDate", "order": "asc"}])
    assert keys(ascending) == scenario.orders


def test_default_order_is_by_key(store: SearchStore, scenario: Scenario) -> None:
    assert keys(orders(store)) == sorted(scenario.orders)


def test_paging_with_limit_and_from(store: SearchStore, scenario: Scenario) -> None:
    seen: list[int] = []
    for offset in range(0, ORDERS, 7):
        page = orders(store, page={"limit": 7, "from": offset})
        assert page["page"]["totalItems"] == ORDERS
        seen.extend(keys(page))
    assert seen == sorted(scenario.orders)


@pytest.mark.parametrize(
    "sort",
    [
        [],
        [{"field": "startDate", "order": "DESC"}],
        [{"field": "state"}, {"field": "endDate", "order": "DESC"}],
        [{"field": "hasIncident", "order": "DESC"}, {"field": "processDefinitionVersionTag"}],
    ],
)
def test_cursor_paging_has_no_duplicates_and_no_gaps(
    store: SearchStore, scenario: Scenario, sort: list[dict[str, str]]
) -> None:
    everything = keys(orders(store, sort=sort))
    assert sorted(everything) == scenario.orders

    forward: list[int] = []
    cursor = None
    pages = []
    while True:
        page: dict[str, Any] = {"limit": 4} if cursor is None else {"limit": 4, "after": cursor}
        result = orders(store, sort=sort, page=page)
        if not result["items"]:
            assert result["page"]["startCursor"] is None and result["page"]["endCursor"] is None
            break
        pages.append(result)
        forward.extend(keys(result))
        cursor = result["page"]["endCursor"]
    assert forward == everything

    # Back from the last page, with the start cursors: the same pages in reverse.
    backward: list[int] = []
    cursor = pages[-1]["page"]["startCursor"]
    backward = keys(pages[-1])
    while True:
        result = orders(store, sort=sort, page={"limit": 4, "before": cursor})
        if not result["items"]:
            break
        backward = keys(result) + backward
        cursor = result["page"]["startCursor"]
    assert backward == everything


def test_search_after_is_accepted_as_a_name(store: SearchStore, scenario: Scenario) -> None:
    first = orders(store, page={"limit": 5})
    second = orders(store, page={"limit": 5, "searchAfter": first["page"]["endCursor"]})

    assert keys(second) == sorted(scenario.orders)[5:10]


# -- errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity", "body", "named"),
    [
        ("processInstance", {"filter": {"colour": "red"}}, "colour"),
        ("processInstance", {"sort": [{"field": "colour"}]}, "colour"),
        ("processInstance", {"filter": {"state": {"$regex": "A.*"}}}, "$regex"),
        ("processInstance", {"filter": {"processInstanceKey": "abc"}}, "processInstanceKey"),
        ("processInstance", {"filter": {"startDate": {"$gt": "yesterday"}}}, "startDate"),
        ("processInstance", {"filter": {"hasIncident": {"$like": "t*"}}}, "hasIncident"),
        ("processInstance", {"page": {"limit": MAX_LIMIT + 1}}, "page.limit"),
        ("processInstance", {"page": {"after": "not-a-cursor"}}, "page.after"),
        ("processInstance", {"sort": [{"field": "state", "order": "UP"}]}, "order"),
        ("userTask", {"filter": {"candidateGroups": "sales"}}, "candidateGroups"),
        ("job", {"filter": {"retries": "many"}}, "retries"),
        ("nothing", {}, "nothing"),
    ],
)
def test_invalid_requests_name_what_is_wrong(
    store: SearchStore, entity: str, body: dict[str, Any], named: str
) -> None:
    with pytest.raises(SearchError) as raised:
        store.search(entity, body)

    assert raised.value.title == "INVALID_ARGUMENT"
    assert named in raised.value.detail


def test_a_cursor_of_another_sort_is_rejected(store: SearchStore) -> None:
    cursor = orders(store, page={"limit": 2})["page"]["endCursor"]

    with pytest.raises(SearchError, match="sort order"):
        orders(store, sort=[{"field": "startDate"}], page={"limit": 2, "after": cursor})


# -- shapes -----------------------------------------------------------------------------------------

_MODELS = {
    "processDefinition": "ProcessDefinitionResult",
    "processInstance": "ProcessInstanceResult",
    "elementInstance": "ElementInstanceResult",
    "sequenceFlow": "ProcessInstanceSequenceFlowResult",
    "variable": "VariableSearchResult",
    "incident": "IncidentResult",
    "job": "JobSearchResult",
    "userTask": "UserTaskResult",
    "decisionDefinition": "DecisionDefinitionResult",
    "decisionRequirements": "DecisionRequirementsResult",
    "decisionInstance": "DecisionInstanceResult",
    "messageSubscription": "MessageSubscriptionResult",
    "form": "FormResult",
}
_GET_MODELS = {"variable": "VariableResult", "decisionInstance": "DecisionInstanceGetQueryResult"}


@pytest.mark.parametrize("entity", sorted(_MODELS))
def test_items_satisfy_the_camunda_client_models(store: SearchStore, entity: str) -> None:
    models = pytest.importorskip("camunda_orchestration_sdk.models")
    result = store.search(entity, {"page": {"limit": 1000}})
    assert result["items"], f"the scenario has no {entity}"

    models.SearchQueryPageResponse.from_dict(result["page"])
    model = getattr(models, _MODELS[entity])
    for item in result["items"]:
        model.from_dict(item)
    first = result["items"][0]
    key = next(value for name, value in first.items() if name == _key_field(entity))
    fetched = store.get(entity, key)
    assert fetched is not None
    getattr(models, _GET_MODELS.get(entity, _MODELS[entity])).from_dict(fetched)


def _key_field(entity: str) -> str:
    return {
        "processDefinition": "processDefinitionKey",
        "processInstance": "processInstanceKey",
        "elementInstance": "elementInstanceKey",
        "sequenceFlow": "sequenceFlowId",
        "variable": "variableKey",
        "incident": "incidentKey",
        "job": "jobKey",
        "userTask": "userTaskKey",
        "decisionDefinition": "decisionDefinitionKey",
        "decisionRequirements": "decisionRequirementsKey",
        "decisionInstance": "decisionEvaluationInstanceKey",
        "messageSubscription": "messageSubscriptionKey",
        "form": "formKey",
    }[entity]


def test_element_statistics_of_a_definition(store: SearchStore, scenario: Scenario) -> None:
    models = pytest.importorskip("camunda_orchestration_sdk.models")
    statistics = {s["elementId"]: s for s in store.element_statistics(scenario.order_definition)}

    ship = statistics["ship"]
    assert (ship["active"], ship["incidents"], ship["canceled"], ship["completed"]) == (11, 1, 3, 10)
    assert statistics["done"]["completed"] == 10
    for entry in statistics.values():
        models.ProcessElementStatisticsResult.from_dict(entry)
    of_instance = store.element_statistics(process_instance_key=str(scenario.failed))
    assert [(s["elementId"], s["active"], s["incidents"], s["completed"]) for s in of_instance] == [
        ("ship", 0, 1, 0),
        ("start", 0, 0, 1),
    ]
    with pytest.raises(SearchError):
        store.element_statistics()
