"""Multi-node parallel jobs: job definitions of ``type: multinode`` and their node properties (user guide
"Multi-node parallel jobs", "Node groups", "Job lifecycle for MNP jobs", "Environment variables";
[M:NodeProperties; M:NodeRangeProperty; M:NodeOverrides]).

RegisterJobDefinition checks ``nodeProperties`` (``check_definition``): ``mainNode`` fewer than ``numNodes``,
``targetNodes`` ranges (``0:3``, ``:3``, ``4:``, ``:``, ``5``) that together cover every node, a container per
range (checked as an EC2 single-node container). A narrower range nested in a wider one overrides it for its
nodes. SubmitJob works out each node's container, vCPUs and memory with ``nodeOverrides`` (``plan``); the
job's own record then holds its nodes, node jobs ``<jobId>#<index>``, made when the job first becomes RUNNABLE.
Their lifecycle (nodes.py) follows the guide: the main node starts first, the child nodes once it is RUNNING,
and the job's status and outcome are the main node's.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.context import Context
from ..core.errors import ClientException
from .state import JobDefinition, json_copy

# A synthetic single-node JobDefinition per node range: its containerProperties are the range's, so that the
# ECS task definition (launch.py) and the per-node overrides (jobs.py) work as for a container job.
_RANGE_DEFINITIONS: weakref.WeakKeyDictionary[JobDefinition, list[JobDefinition]] = weakref.WeakKeyDictionary()


def is_multinode(definition: JobDefinition) -> bool:
    return "nodeProperties" in definition.body


def parse_range(text: str, num_nodes: int) -> tuple[int, int] | None:
    """``a:b`` (inclusive), ``:b`` from 0, ``a:`` to the last node, ``:`` every node, ``n`` one node; None when
    it is not a range [M:NodeRangeProperty.targetNodes]."""
    start, colon, end = text.partition(":")
    try:
        low = int(start) if start.strip() else 0
        high = (int(end) if end.strip() else num_nodes - 1) if colon else low
    except ValueError:
        return None
    return (low, high) if 0 <= low <= high else None


def _range_of(prop: dict[str, Any], num_nodes: int) -> tuple[int, int]:
    found = parse_range(str(prop.get("targetNodes", "")), num_nodes)
    if found is None:  # the fake's wording (AWS's is not known)
        raise ClientException(f"targetNodes {prop.get('targetNodes')!r} is not a node range such as 0:3, 4: or :.")
    return found


def owner(ranges: list[tuple[int, int]], index: int) -> int | None:
    """The range that gives node ``index`` its properties: the narrowest one that holds it (nested ranges
    override the wider ones); of equal ones, the later."""
    best: int | None = None
    for place, (low, high) in enumerate(ranges):
        if low <= index <= high and (best is None or high - low <= ranges[best][1] - ranges[best][0]):
            best = place
    return best


def check_definition(ctx: Context, req: dict[str, Any], check_container: Callable[[dict[str, Any], bool], None],
                     container_body: Callable[[dict[str, Any], bool], dict[str, Any]]) -> dict[str, Any]:
    """The ``nodeProperties`` of a multinode RegisterJobDefinition, checked; as DescribeJobDefinitions answers
    them. Wording of the refusals: the fake's own, not confirmed."""
    if "FARGATE" in req.get("platformCapabilities", ["EC2"]):
        # "If the job is run on Fargate resources, then multinode isn't supported."
        # [M:RegisterJobDefinitionRequest.type]
        raise ClientException("Multi-node parallel jobs aren't supported on Fargate resources: use "
                              "platformCapabilities EC2.")
    props = req.get("nodeProperties")
    if props is None:
        raise ClientException("nodeProperties is required for a job definition of type multinode.")
    num_nodes, main = props["numNodes"], props["mainNode"]
    if num_nodes < 1:
        raise ClientException(f"nodeProperties.numNodes must be at least 1, got {num_nodes}.")
    if not 0 <= main < num_nodes:
        raise ClientException(f"nodeProperties.mainNode must be fewer than numNodes ({num_nodes}), got {main}.")
    ranges = [_range_of(p, num_nodes) for p in props["nodeRangeProperties"]]
    _covers(ranges, num_nodes)
    body = json_copy(props)
    for prop in body["nodeRangeProperties"]:
        if "container" not in prop:
            if "ecsProperties" in prop or "eksProperties" in prop:
                ctx.unsupported("multi-node parallel node ranges with ecsProperties or eksProperties")
            raise ClientException(f"nodeRangeProperties {prop['targetNodes']}: container is required.")
        if "consumableResourceProperties" in prop:
            ctx.unsupported("consumable resources of multi-node parallel node ranges")
        check_container(prop["container"], False)
        prop["container"] = container_body(prop["container"], False)
    return body  # type: ignore[no-any-return]


def _covers(ranges: list[tuple[int, int]], num_nodes: int) -> None:
    # "Your accumulative node ranges must account for all nodes (0:n)." [M:NodeRangeProperty.targetNodes]
    missing = [i for i in range(num_nodes) if owner(ranges, i) is None]
    if missing:
        raise ClientException(f"nodeRangeProperties don't account for node {missing[0]}: the ranges must cover every "
                              f"node from 0 to {num_nodes - 1}.")


def range_definitions(definition: JobDefinition) -> list[JobDefinition]:
    """One single-node JobDefinition per node range of ``definition`` (same name, revision and ARN)."""
    found = _RANGE_DEFINITIONS.get(definition)
    if found is None:
        found = []
        for prop in definition.body["nodeProperties"]["nodeRangeProperties"]:
            body = {"containerProperties": prop["container"], "platformCapabilities": ["EC2"], "type": "container",
                    "status": "ACTIVE"}
            found.append(JobDefinition(definition.name, definition.revision, definition.arn, body, definition.tags))
        _RANGE_DEFINITIONS[definition] = found
    return found


@dataclass(eq=False)
class NodePlan:
    """One node of a submitted job: its container (overrides applied), vCPUs, MiB and range definition."""

    index: int
    container: dict[str, Any]
    vcpus: float
    memory: int
    definition: JobDefinition


@dataclass(eq=False)
class Plan:
    num_nodes: int
    main_node: int
    node_properties: dict[str, Any]  # as the job's JobDetail.nodeProperties shows them
    nodes: list[NodePlan]

    @property
    def totals(self) -> tuple[float, int]:
        return sum(n.vcpus for n in self.nodes), sum(n.memory for n in self.nodes)


Container = Callable[[JobDefinition, dict[str, Any], dict[str, str]], dict[str, Any]]
Resources = Callable[[dict[str, Any], JobDefinition, dict[str, Any]], tuple[float, int]]


def plan(ctx: Context, definition: JobDefinition, req: dict[str, Any], parameters: dict[str, str],
         container: Container, resources: Resources) -> Plan:
    """SubmitJob of a multinode job definition: each node's effective container [M:SubmitJobRequest.nodeOverrides]."""
    if "arrayProperties" in req:
        ctx.unsupported("array jobs of multi-node parallel job definitions")
    if "containerOverrides" in req:
        ctx.documented("containerOverrides is for single-node jobs: a multi-node parallel job takes nodeOverrides "
                       "(nodePropertyOverrides[].containerOverrides) [M:SubmitJobRequest.nodeOverrides]")
    props = definition.body["nodeProperties"]
    overrides = req.get("nodeOverrides", {})
    num_nodes = overrides.get("numNodes", props["numNodes"])
    wide = [parse_range(p["targetNodes"], 10**9) for p in props["nodeRangeProperties"]]
    if num_nodes != props["numNodes"]:
        _check_num_nodes(num_nodes, props["mainNode"], props["nodeRangeProperties"], wide)
    ranges = [_range_of(p, num_nodes) for p in props["nodeRangeProperties"]]
    given = [(_range_of(o, num_nodes), o.get("containerOverrides", {}))
             for o in overrides.get("nodePropertyOverrides", [])]
    for o in overrides.get("nodePropertyOverrides", []):
        if any(k in o for k in ("ecsPropertiesOverride", "eksPropertiesOverride",
                                "consumableResourcePropertiesOverride")):
            ctx.unsupported("node overrides other than containerOverrides and instanceTypes")
    definitions = range_definitions(definition)
    nodes: list[NodePlan] = []
    for index in range(num_nodes):
        place = owner(ranges, index)
        assert place is not None  # _check_num_nodes / check_definition: the ranges cover every node
        changes: dict[str, Any] = {}
        for (low, high), change in given:
            if low <= index <= high:
                changes.update({k: v for k, v in change.items() if k != "instanceType"})
        node_def = definitions[place]
        props_i = container(node_def, {"containerOverrides": changes}, parameters)
        vcpus, memory = resources(props_i, node_def, changes)
        nodes.append(NodePlan(index, props_i, vcpus, memory, node_def))
    shown = json_copy(props)
    shown["numNodes"] = num_nodes
    return Plan(num_nodes, props["mainNode"], shown, nodes)


def _check_num_nodes(num_nodes: int, main: int, props: list[dict[str, Any]],
                     wide: list[tuple[int, int] | None]) -> None:
    """The three conditions of [M:NodeOverrides.numNodes]; the fake's wording."""
    open_ranges = [r for p, r in zip(props, wide, strict=True)
                   if r is not None and str(p["targetNodes"]).rstrip().endswith(":")]
    if not open_ranges:
        raise ClientException("nodeOverrides.numNodes needs a node range with an open upper boundary (such as : or "
                              "n:) in the job definition.")
    if any(low >= num_nodes for low, _ in open_ranges):
        raise ClientException(f"nodeOverrides.numNodes ({num_nodes}) must be more than the lower boundary of the open "
                              "node range of the job definition.")
    if main >= num_nodes:
        raise ClientException(f"nodeOverrides.numNodes ({num_nodes}) must be more than the main node index ({main}).")
