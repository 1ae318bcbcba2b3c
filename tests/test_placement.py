"""Placement on EC2/EXTERNAL container instances: strategies, constraints, failures, reservations.

Driven through ``place``/``reserve``/``release`` with a Context of the active fake; instances are made with
``fake.add_container_instance`` and checked through DescribeContainerInstances.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from pytest_ecsfake.core.context import Context
from pytest_ecsfake.core.errors import ClusterNotFoundException, InvalidParameterException
from pytest_ecsfake.ecs.instance_model import ContainerInstance, instance_by_ref
from pytest_ecsfake.ecs.placement import (
    Demand,
    demand_for,
    misfit,
    place,
    release,
    reserve,
    set_task_status,
    validate,
)
from pytest_ecsfake.ways_in import active

PREFIX = "arn:aws:ecs:us-east-1:123456789012:"
SMALL = Demand(cpu=256, memory=512)
SPREAD_AZ = {"type": "spread", "field": "attribute:ecs.availability-zone"}
SPREAD_INSTANCE = {"type": "spread", "field": "instanceId"}


def _ctx(fake: Any) -> Context:
    return Context(fake._backend, "ecs", "RunTask", "us-east-1", fake._backend.clock.now())


def _instance(fake: Any, arn: str) -> ContainerInstance:
    found = instance_by_ref(_ctx(fake), arn.split("/")[1], arn)
    assert found is not None
    return found


def _run(fake: Any, cluster: str, demand: Demand, count: int, group: str = "family:web",
         strategies: list[dict[str, Any]] | None = None, constraints: list[dict[str, Any]] | None = None,
         **kwargs: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """Place and reserve like RunTask; return the instance ARN of each task placed, and the failures."""
    ctx = _ctx(fake)
    chosen, failures = place(ctx, cluster, demand, count, group, strategies or [], constraints or [], **kwargs)
    for instance in chosen:
        reserve(instance, PREFIX + f"task/{cluster}/{ctx.backend.ids.hex32()}", group, demand)
    return [i.arn for i in chosen], failures


def _remaining(ecs: Any, cluster: str, arn: str) -> dict[str, Any]:
    # These tests change placement records directly, not through an operation or an event: say so as those do
    # (Backend.epoch), or a repeated DescribeContainerInstances is answered as before (wire/reads.py).
    fake = active.current()
    assert fake is not None
    fake._backend.changed()
    body = ecs.describe_container_instances(cluster=cluster, containerInstances=[arn])["containerInstances"][0]
    found = {r["name"]: r.get("stringSetValue", r.get("integerValue")) for r in body["remainingResources"]}
    found["running"] = body["runningTasksCount"]
    found["pending"] = body["pendingTasksCount"]
    return found


@pytest.fixture
def cluster(ecs: Any) -> str:
    ecs.create_cluster(clusterName="c")
    return "c"


# -- strategies ------------------------------------------------------------------------------------------
def test_binpack_memory_fills_the_fullest_instance_first(ecs_fake: Any, cluster: str) -> None:
    roomy = ecs_fake.add_container_instance(cluster, memory=8192)
    tight = ecs_fake.add_container_instance(cluster, memory=2048)
    middle = ecs_fake.add_container_instance(cluster, memory=4096)
    placed, failures = _run(ecs_fake, cluster, Demand(cpu=0, memory=1024), 7,
                            strategies=[{"type": "binpack", "field": "memory"}])
    # 2048 left → tight twice; then middle (4096) four times; then roomy.
    assert placed == [tight, tight, middle, middle, middle, middle, roomy]
    assert failures == []


def test_binpack_cpu(ecs_fake: Any, cluster: str) -> None:
    big = ecs_fake.add_container_instance(cluster, cpu=4096)
    small = ecs_fake.add_container_instance(cluster, cpu=1024)
    placed, _ = _run(ecs_fake, cluster, Demand(cpu=512, memory=0), 3, strategies=[{"type": "binpack", "field": "CPU"}])
    assert placed == [small, small, big]


def test_binpack_counts_tasks_already_reserved(ecs_fake: Any, cluster: str) -> None:
    first = ecs_fake.add_container_instance(cluster, memory=4096)
    second = ecs_fake.add_container_instance(cluster, memory=4096)
    _run(ecs_fake, cluster, Demand(cpu=0, memory=1024), 1, strategies=[SPREAD_INSTANCE])
    binpack = [{"type": "binpack", "field": "memory"}]
    placed, _ = _run(ecs_fake, cluster, Demand(cpu=0, memory=512), 1, strategies=binpack)
    assert placed == [first]
    assert _instance(ecs_fake, second).tasks == {}


def test_spread_by_availability_zone(ecs_fake: Any, cluster: str) -> None:
    a1 = ecs_fake.add_container_instance(cluster, availability_zone="us-east-1a")
    a2 = ecs_fake.add_container_instance(cluster, availability_zone="us-east-1a")
    b1 = ecs_fake.add_container_instance(cluster, availability_zone="us-east-1b")
    c1 = ecs_fake.add_container_instance(cluster, availability_zone="us-east-1c")
    placed, _ = _run(ecs_fake, cluster, SMALL, 6, strategies=[SPREAD_AZ])
    zones = Counter({a1: "a", a2: "a", b1: "b", c1: "c"}[arn] for arn in placed)
    assert zones == {"a": 2, "b": 2, "c": 2}


def test_spread_by_zone_counts_tasks_already_there(ecs_fake: Any, cluster: str) -> None:
    a1 = ecs_fake.add_container_instance(cluster, availability_zone="us-east-1a")
    a2 = ecs_fake.add_container_instance(cluster, availability_zone="us-east-1a")
    b1 = ecs_fake.add_container_instance(cluster, availability_zone="us-east-1b")
    c1 = ecs_fake.add_container_instance(cluster, availability_zone="us-east-1c")
    in_b = [{"type": "memberOf", "expression": "attribute:ecs.availability-zone == us-east-1b"}]
    assert _run(ecs_fake, cluster, SMALL, 2, constraints=in_b)[0] == [b1, b1]
    placed, _ = _run(ecs_fake, cluster, SMALL, 3, strategies=[SPREAD_AZ, SPREAD_INSTANCE])
    assert placed == [a1, c1, a2]


def test_spread_counts_only_the_same_group(ecs_fake: Any, cluster: str) -> None:
    a = ecs_fake.add_container_instance(cluster, availability_zone="us-east-1a")
    b = ecs_fake.add_container_instance(cluster, availability_zone="us-east-1b")
    _run(ecs_fake, cluster, SMALL, 3, group="family:other", strategies=[{"type": "binpack", "field": "cpu"}])
    placed, _ = _run(ecs_fake, cluster, SMALL, 2, group="family:web", strategies=[SPREAD_AZ])
    assert sorted(placed) == sorted([a, b])


def test_spread_by_instance(ecs_fake: Any, cluster: str) -> None:
    arns = [ecs_fake.add_container_instance(cluster) for _ in range(3)]
    placed, _ = _run(ecs_fake, cluster, SMALL, 6, strategies=[{"type": "spread", "field": "host"}])
    assert Counter(placed) == dict.fromkeys(arns, 2)
    assert placed[:3] == arns


def test_spread_by_custom_attribute_counts_missing_values_as_one_bucket(ecs_fake: Any, cluster: str) -> None:
    red = ecs_fake.add_container_instance(cluster, attributes={"rack": "red"})
    blue = ecs_fake.add_container_instance(cluster, attributes={"rack": "blue"})
    bare = ecs_fake.add_container_instance(cluster)
    placed, _ = _run(ecs_fake, cluster, SMALL, 3, strategies=[{"type": "spread", "field": "attribute:rack"}])
    assert sorted(placed) == sorted([red, blue, bare])


def test_strategies_apply_in_order(ecs_fake: Any, cluster: str) -> None:
    ecs_fake.add_container_instance(cluster, availability_zone="us-east-1a", memory=8192)
    a_tight = ecs_fake.add_container_instance(cluster, availability_zone="us-east-1a", memory=2048)
    ecs_fake.add_container_instance(cluster, availability_zone="us-east-1b", memory=8192)
    b_tight = ecs_fake.add_container_instance(cluster, availability_zone="us-east-1b", memory=4096)
    placed, _ = _run(ecs_fake, cluster, Demand(cpu=0, memory=512), 4,
                     strategies=[SPREAD_AZ, {"type": "binpack", "field": "memory"}])
    assert placed == [a_tight, b_tight, a_tight, b_tight]


def test_default_strategy_spreads_over_zones_then_instances(ecs_fake: Any, cluster: str) -> None:
    arns = [ecs_fake.add_container_instance(cluster) for _ in range(4)]  # zones a, b, c, a
    placed, _ = _run(ecs_fake, cluster, SMALL, 4)
    assert placed == [arns[0], arns[1], arns[2], arns[3]]
    placed, _ = _run(ecs_fake, cluster, SMALL, 3)
    assert placed == [arns[1], arns[2], arns[0]]


def _random_sequence(seed: int) -> list[int]:
    import boto3

    from pytest_ecsfake import EcsFake

    with EcsFake(seed=seed) as fake:
        boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="r")
        arns = [fake.add_container_instance("r", cpu=100000, memory=100000) for _ in range(4)]
        placed, _ = _run(fake, "r", SMALL, 40, strategies=[{"type": "random"}])
        return [arns.index(arn) for arn in placed]


def test_random_is_deterministic_for_a_seed() -> None:
    first = _random_sequence(11)
    assert first == _random_sequence(11)
    assert set(first) == {0, 1, 2, 3}  # really spread at random over the four instances
    assert first != _random_sequence(12)


# -- constraints -----------------------------------------------------------------------------------------
def test_distinct_instance(ecs_fake: Any, cluster: str) -> None:
    one = ecs_fake.add_container_instance(cluster)
    two = ecs_fake.add_container_instance(cluster)
    distinct = [{"type": "distinctInstance"}]
    placed, failures = _run(ecs_fake, cluster, SMALL, 3, constraints=distinct)
    assert sorted(placed) == sorted([one, two])
    assert failures == [
        {"arn": one, "reason": "DistinctInstance placement constraint unsatisfied."},
        {"arn": two, "reason": "DistinctInstance placement constraint unsatisfied."},
    ]
    # Another group may still use both instances.
    other, failures = _run(ecs_fake, cluster, SMALL, 2, group="family:db", constraints=distinct)
    assert sorted(other) == sorted([one, two]) and failures == []


def test_distinct_instance_counts_existing_tasks(ecs_fake: Any, cluster: str) -> None:
    one = ecs_fake.add_container_instance(cluster)
    two = ecs_fake.add_container_instance(cluster)
    _run(ecs_fake, cluster, SMALL, 1, strategies=[SPREAD_INSTANCE])
    placed, failures = _run(ecs_fake, cluster, SMALL, 2, constraints=[{"type": "distinctInstance"}])
    assert placed == [two]
    assert {f["arn"] for f in failures} == {one, two}


def test_member_of(ecs_fake: Any, cluster: str) -> None:
    ecs_fake.add_container_instance(cluster, instance_type="m5.large")
    t3 = ecs_fake.add_container_instance(cluster, instance_type="t3.medium")
    member = [{"type": "memberOf", "expression": "attribute:ecs.instance-type =~ t3.*"}]
    placed, failures = _run(ecs_fake, cluster, SMALL, 3, constraints=member)
    assert placed == [t3, t3, t3] and failures == []


def test_member_of_from_task_definition_and_request_both_apply(ecs_fake: Any, cluster: str) -> None:
    ecs_fake.add_container_instance(cluster, instance_type="t3.medium", availability_zone="us-east-1a")
    wanted = ecs_fake.add_container_instance(cluster, instance_type="t3.medium", availability_zone="us-east-1b")
    ecs_fake.add_container_instance(cluster, instance_type="m5.large", availability_zone="us-east-1b")
    constraints = [
        {"type": "memberOf", "expression": "attribute:ecs.instance-type =~ t3.*"},  # the task definition's
        {"type": "memberOf", "expression": "attribute:ecs.availability-zone == us-east-1b"},  # the request's
    ]
    placed, _ = _run(ecs_fake, cluster, SMALL, 2, constraints=constraints)
    assert placed == [wanted, wanted]


def test_member_of_unsatisfied(ecs_fake: Any, cluster: str) -> None:
    one = ecs_fake.add_container_instance(cluster)
    two = ecs_fake.add_container_instance(cluster)
    placed, failures = _run(ecs_fake, cluster, SMALL, 2,
                            constraints=[{"type": "memberOf", "expression": "attribute:team == data"}])
    assert placed == []
    assert failures == [
        {"arn": one, "reason": "MemberOf placement constraint unsatisfied."},
        {"arn": two, "reason": "MemberOf placement constraint unsatisfied."},
    ]


def test_member_of_task_group_places_next_to_a_group(ecs_fake: Any, cluster: str) -> None:
    ecs_fake.add_container_instance(cluster)
    db_host = ecs_fake.add_container_instance(cluster)
    on_host = f"ec2InstanceId == {_instance(ecs_fake, db_host).ec2_instance_id}"
    _run(ecs_fake, cluster, SMALL, 1, group="family:db", constraints=[{"type": "memberOf", "expression": on_host}])
    placed, _ = _run(ecs_fake, cluster, SMALL, 2,
                     constraints=[{"type": "memberOf", "expression": "task:group == family:db"}])
    assert placed == [db_host, db_host]


def test_bad_expression_names_it(ecs_fake: Any, cluster: str) -> None:
    ecs_fake.add_container_instance(cluster)
    with pytest.raises(InvalidParameterException, match="attribute:team === data"):
        _run(ecs_fake, cluster, SMALL, 1, constraints=[{"type": "memberOf", "expression": "attribute:team === data"}])


@pytest.mark.parametrize(
    ("strategies", "constraints", "fragment"),
    [
        ([{"type": "binpack", "field": "disk"}], [], "cpu or memory"),
        ([{"type": "binpack"}], [], "cpu or memory"),
        ([{"type": "spread", "field": "zone"}], [], "instanceId, host or attribute"),
        ([], [{"type": "distinctInstance", "expression": "attribute:a exists"}], "takes no expression"),
        ([], [{"type": "memberOf"}], "needs an expression"),
    ],
)
def test_invalid_strategies_and_constraints(ecs_fake: Any, cluster: str, strategies: list[dict[str, Any]],
                                            constraints: list[dict[str, Any]], fragment: str) -> None:
    ecs_fake.add_container_instance(cluster)
    with pytest.raises(InvalidParameterException, match=fragment):
        validate(strategies, constraints)
    with pytest.raises(InvalidParameterException, match=fragment):
        place(_ctx(ecs_fake), cluster, SMALL, 1, "family:web", strategies, constraints)


def test_required_attributes(ecs_fake: Any, cluster: str) -> None:
    plain = ecs_fake.add_container_instance(cluster)
    gpu = ecs_fake.add_container_instance(cluster, attributes={"ecs.capability.gpu": None})
    placed, _ = _run(ecs_fake, cluster, SMALL, 1, requires=["ecs.capability.gpu", "ecs.capability.task-eni"])
    assert placed == [gpu]
    placed, failures = _run(ecs_fake, cluster, SMALL, 1, requires=["ecs.capability.fsx"])
    assert placed == []
    assert failures == [{"arn": plain, "reason": "ATTRIBUTE"}, {"arn": gpu, "reason": "ATTRIBUTE"}]


# -- resources and failures --------------------------------------------------------------------------------
def test_resource_failures(ecs_fake: Any, cluster: str) -> None:
    few_cpu = ecs_fake.add_container_instance(cluster, cpu=512, memory=8192)
    few_memory = ecs_fake.add_container_instance(cluster, cpu=4096, memory=1024)
    placed, failures = _run(ecs_fake, cluster, Demand(cpu=1024, memory=2048), 2)
    assert placed == []
    assert failures == [
        {"arn": few_cpu, "reason": "RESOURCE:CPU"},
        {"arn": few_memory, "reason": "RESOURCE:MEMORY"},
    ]


def test_some_tasks_fit_and_the_rest_fail(ecs_fake: Any, cluster: str) -> None:
    only = ecs_fake.add_container_instance(cluster, cpu=1024, memory=4096)
    placed, failures = _run(ecs_fake, cluster, Demand(cpu=512, memory=256), 5)
    assert placed == [only, only]
    assert failures == [{"arn": only, "reason": "RESOURCE:CPU"}]


def test_port_conflicts(ecs: Any, ecs_fake: Any, cluster: str) -> None:
    only = ecs_fake.add_container_instance(cluster)
    web = Demand(cpu=128, memory=128, ports=((8080, "tcp"),))
    placed, failures = _run(ecs_fake, cluster, web, 2)
    assert placed == [only]
    assert failures == [{"arn": only, "reason": "RESOURCE:PORTS"}]
    assert "8080" in _remaining(ecs, cluster, only)["PORTS"]
    # The same port over UDP is free; the agent's own port 22 is not.
    placed, _ = _run(ecs_fake, cluster, Demand(cpu=128, memory=128, ports=((8080, "udp"),)), 1)
    assert placed == [only]
    assert _remaining(ecs, cluster, only)["PORTS_UDP"] == ["8080"]
    _, failures = _run(ecs_fake, cluster, Demand(cpu=128, memory=128, ports=((22, "tcp"),)), 1)
    assert failures == [{"arn": only, "reason": "RESOURCE:PORTS"}]


def test_misfit(ecs_fake: Any, cluster: str) -> None:
    arn = ecs_fake.add_container_instance(cluster, cpu=1024, memory=1024)
    instance = _instance(ecs_fake, arn)
    assert misfit(instance, Demand(cpu=1024, memory=1024)) is None
    assert misfit(instance, Demand(cpu=2048, memory=512)) == "RESOURCE:CPU"
    assert misfit(instance, Demand(cpu=512, memory=2048)) == "RESOURCE:MEMORY"
    assert misfit(instance, Demand(cpu=0, memory=0, ports=((51678, "tcp"),))) == "RESOURCE:PORTS"


def test_draining_instances_take_no_tasks(ecs: Any, ecs_fake: Any, cluster: str) -> None:
    draining = ecs_fake.add_container_instance(cluster)
    active = ecs_fake.add_container_instance(cluster)
    ecs.update_container_instances_state(cluster=cluster, containerInstances=[draining], status="DRAINING")
    placed, failures = _run(ecs_fake, cluster, SMALL, 3)
    assert placed == [active, active, active] and failures == []
    ecs.update_container_instances_state(cluster=cluster, containerInstances=[active], status="DRAINING")
    with pytest.raises(InvalidParameterException, match="^No Container Instances were found in your cluster.$"):
        _run(ecs_fake, cluster, SMALL, 1)


def test_no_instances(ecs: Any, ecs_fake: Any, cluster: str) -> None:
    with pytest.raises(InvalidParameterException, match="^No Container Instances were found in your cluster.$"):
        _run(ecs_fake, cluster, SMALL, 1)
    arn = ecs_fake.add_container_instance(cluster)
    ecs.deregister_container_instance(cluster=cluster, containerInstance=arn)
    with pytest.raises(InvalidParameterException, match="No Container Instances"):
        _run(ecs_fake, cluster, SMALL, 1)
    with pytest.raises(ClusterNotFoundException, match="Cluster not found."):
        _run(ecs_fake, "missing", SMALL, 1)


def test_launch_type_keeps_ec2_and_external_apart(ecs: Any, ecs_fake: Any, cluster: str) -> None:
    ec2 = ecs_fake.add_container_instance(cluster)
    external = ecs.register_container_instance(
        cluster=cluster, attributes=[{"name": "ecs.capability.external"}]
    )["containerInstance"]["containerInstanceArn"]
    placed, _ = _run(ecs_fake, cluster, SMALL, 2, launch_type="EXTERNAL")
    assert placed == [external, external]
    placed, _ = _run(ecs_fake, cluster, SMALL, 2, launch_type="EC2")
    assert placed == [ec2, ec2]
    ecs.deregister_container_instance(cluster=cluster, containerInstance=external, force=True)
    with pytest.raises(InvalidParameterException, match="No Container Instances"):
        _run(ecs_fake, cluster, SMALL, 1, launch_type="EXTERNAL")


# -- reservations ------------------------------------------------------------------------------------------
def test_reserve_and_release(ecs: Any, ecs_fake: Any, cluster: str) -> None:
    arn = ecs_fake.add_container_instance(cluster, cpu=2048, memory=4096)
    instance = _instance(ecs_fake, arn)
    task = PREFIX + "task/c/" + "3" * 32
    demand = Demand(cpu=512, memory=1024, ports=((80, "tcp"), (53, "udp")))
    reserve(instance, task, "family:web", demand)
    left = _remaining(ecs, cluster, arn)
    assert (left["CPU"], left["MEMORY"], left["running"], left["pending"]) == (1536, 3072, 1, 1)
    assert left["PORTS"] == ["22", "2375", "2376", "51678", "51679", "80"]
    assert left["PORTS_UDP"] == ["53"]
    set_task_status(instance, task, last_status="RUNNING")
    assert (_remaining(ecs, cluster, arn)["running"], _remaining(ecs, cluster, arn)["pending"]) == (1, 0)
    set_task_status(instance, task, desired_status="STOPPED")
    assert _remaining(ecs, cluster, arn)["running"] == 0
    reserve(instance, task, "family:web", demand)  # again: replaces, does not double
    assert _remaining(ecs, cluster, arn)["CPU"] == 1536
    release(instance, task)
    left = _remaining(ecs, cluster, arn)
    assert (left["CPU"], left["MEMORY"], left["running"], left["pending"]) == (2048, 4096, 0, 0)
    assert left["PORTS"] == ["22", "2375", "2376", "51678", "51679"] and left["PORTS_UDP"] == []
    version = ecs.describe_container_instances(cluster=cluster, containerInstances=[arn])["containerInstances"][0][
        "version"
    ]
    release(instance, task)  # idempotent
    set_task_status(instance, task, last_status="RUNNING")  # unknown now: ignored
    after = ecs.describe_container_instances(cluster=cluster, containerInstances=[arn])["containerInstances"][0]
    assert after["version"] == version
    assert _remaining(ecs, cluster, arn)["CPU"] == 2048


def test_release_makes_room_for_placement(ecs_fake: Any, cluster: str) -> None:
    arn = ecs_fake.add_container_instance(cluster, cpu=1024, memory=1024)
    instance = _instance(ecs_fake, arn)
    reserve(instance, "t1", "family:web", Demand(cpu=1024, memory=1024))
    _, failures = _run(ecs_fake, cluster, SMALL, 1)
    assert failures == [{"arn": arn, "reason": "RESOURCE:CPU"}]
    release(instance, "t1")
    placed, failures = _run(ecs_fake, cluster, SMALL, 1)
    assert placed == [arn] and failures == []


def test_instance_by_ref(ecs: Any, ecs_fake: Any, cluster: str) -> None:
    ecs.create_cluster(clusterName="other")
    arn = ecs_fake.add_container_instance(cluster)
    ident = arn.rsplit("/", 1)[1]
    ctx = _ctx(ecs_fake)
    by_id = instance_by_ref(ctx, cluster, ident)
    assert by_id is not None and by_id.arn == arn
    assert instance_by_ref(ctx, PREFIX + "cluster/c", arn) is by_id
    assert instance_by_ref(ctx, "other", arn) is None
    assert instance_by_ref(ctx, "other", ident) is None
    assert instance_by_ref(ctx, cluster, "0" * 32) is None
    assert instance_by_ref(ctx, "missing", ident) is None
    assert instance_by_ref(ctx, cluster, "arn:aws:ecs:eu-west-1:123456789012:container-instance/c/" + ident) is None


# -- demand_for ----------------------------------------------------------------------------------------------
def test_demand_for_bridge_task_definition() -> None:
    definition = {
        "containerDefinitions": [
            {"name": "web", "cpu": 256, "memory": 512, "memoryReservation": 256,
             "portMappings": [{"containerPort": 80, "hostPort": 8080, "protocol": "tcp"},
                              {"containerPort": 81, "hostPort": 0, "protocol": "tcp"},
                              {"containerPort": 82, "protocol": "tcp"}]},
            {"name": "dns", "cpu": 128, "memory": 128,
             "portMappings": [{"containerPort": 53, "hostPort": 5353, "protocol": "udp"}]},
        ]
    }
    assert demand_for(definition) == Demand(cpu=384, memory=384, ports=((8080, "tcp"), (5353, "udp")))
    bigger = {"containerOverrides": [{"name": "web", "cpu": 1024, "memoryReservation": 1024}]}
    overridden = demand_for(definition, bigger)
    assert (overridden.cpu, overridden.memory) == (1152, 1152)
    assert demand_for(definition, {"cpu": "1 vCPU", "memory": "2 GB"}).cpu == 1024
    assert demand_for(definition, {"cpu": "1 vCPU", "memory": "2 GB"}).memory == 2048


def test_demand_for_network_modes() -> None:
    containers = [{"name": "a", "cpu": 0, "memory": 64, "portMappings": [{"containerPort": 80, "protocol": "tcp"}]}]
    assert demand_for({"networkMode": "host", "containerDefinitions": containers}).ports == ((80, "tcp"),)
    awsvpc = demand_for({"networkMode": "awsvpc", "cpu": "512", "memory": "1024", "containerDefinitions": containers})
    assert awsvpc == Demand(cpu=512, memory=1024, ports=())
    assert demand_for({"networkMode": "none", "containerDefinitions": containers}).ports == ()


def test_counters_follow_the_task_records(ecs: Any, ecs_fake: Any, cluster: str) -> None:
    from types import SimpleNamespace

    arn = ecs_fake.add_container_instance(cluster)
    task = PREFIX + "task/c/" + "4" * 32
    reserve(_instance(ecs_fake, arn), task, "family:web", SMALL)
    record = SimpleNamespace(arn=task, last_status="RUNNING", desired_status="RUNNING")
    tasks = _ctx(ecs_fake).ecs.tasks
    tasks["4" * 32] = record
    try:
        assert (_remaining(ecs, cluster, arn)["running"], _remaining(ecs, cluster, arn)["pending"]) == (1, 0)
        record.desired_status = "STOPPED"
        assert _remaining(ecs, cluster, arn)["running"] == 0
        assert ecs.list_container_instances(cluster=cluster, filter="runningTasksCount == 0")[
            "containerInstanceArns"
        ] == [arn]
    finally:
        del tasks["4" * 32]


def test_run_task_places_on_instances_and_stopping_releases(ecs: Any, ecs_fake: Any) -> None:
    ecs.create_cluster()
    first = ecs_fake.add_container_instance(cpu=1024, memory=2048)
    second = ecs_fake.add_container_instance(cpu=1024, memory=2048)
    ecs.register_task_definition(family="web", containerDefinitions=[
        {"name": "w", "image": "nginx", "cpu": 512, "memory": 512,
         "portMappings": [{"containerPort": 80, "hostPort": 80}]}
    ])
    body = ecs.run_task(taskDefinition="web", count=3, launchType="EC2")
    assert [t["containerInstanceArn"] for t in body["tasks"]] == [first, second]
    assert body["failures"] == [{"arn": first, "reason": "RESOURCE:PORTS"}, {"arn": second, "reason": "RESOURCE:PORTS"}]
    assert _remaining(ecs, "default", first)["CPU"] == 512
    ecs.stop_task(task=body["tasks"][0]["taskArn"])
    ecs.get_waiter("tasks_stopped").wait(tasks=[body["tasks"][0]["taskArn"]])
    left = _remaining(ecs, "default", first)
    assert (left["CPU"], left["MEMORY"], left["running"]) == (1024, 2048, 0)
    assert "80" not in left["PORTS"]
    assert _remaining(ecs, "default", second)["running"] == 1
