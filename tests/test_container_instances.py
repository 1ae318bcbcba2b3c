"""Container instances: Register/Deregister/Describe/List/UpdateContainerInstancesState, add_container_instance,
the cluster counter, tags, and ListContainerInstances filters in the cluster query language."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from pytest_ecsfake.core.context import Context
from pytest_ecsfake.core.errors import ClusterNotFoundException
from pytest_ecsfake.ecs.placement import Demand, release, reserve
from pytest_ecsfake.ecs.state import EcsState

START = 1735689600.0  # 2025-01-01T00:00:00Z, the fake's default start
PREFIX = "arn:aws:ecs:us-east-1:123456789012:"


def _ctx(fake: Any) -> Context:
    return Context(fake._backend, "ecs", "RunTask", "us-east-1", fake._backend.clock.now())


def _state(fake: Any) -> EcsState:
    return _ctx(fake).ecs


def _resources(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {r["name"]: r.get("stringSetValue", r.get("integerValue")) for r in items}


def _count(ecs: Any, cluster: str) -> int:
    count: int = ecs.describe_clusters(clusters=[cluster])["clusters"][0]["registeredContainerInstancesCount"]
    return count


def _identity(instance_id: str, zone: str = "us-east-1b", instance_type: str = "c5.xlarge") -> str:
    return json.dumps(
        {"instanceId": instance_id, "instanceType": instance_type, "availabilityZone": zone,
         "imageId": "ami-0123456789abcdef0", "region": "us-east-1"}
    )


# -- RegisterContainerInstance --------------------------------------------------------------------------
def test_register_with_identity_document(ecs: Any) -> None:
    ecs.create_cluster(clusterName="prod")
    body = ecs.register_container_instance(
        cluster="prod",
        instanceIdentityDocument=_identity("i-0abc1234def567890"),
        totalResources=[
            {"name": "CPU", "type": "INTEGER", "integerValue": 4096},
            {"name": "MEMORY", "type": "INTEGER", "integerValue": 7680},
            {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "2375", "2376", "51678", "51679"]},
            {"name": "PORTS_UDP", "type": "STRINGSET", "stringSetValue": ["53"]},
        ],
        attributes=[{"name": "team", "value": "data"}, {"name": "gpu"}],
        versionInfo={"agentVersion": "1.70.0"},
        tags=[{"key": "env", "value": "prod"}],
    )["containerInstance"]
    assert re.fullmatch(PREFIX + r"container-instance/prod/[0-9a-f]{32}", body["containerInstanceArn"])
    assert body["ec2InstanceId"] == "i-0abc1234def567890"
    assert body["status"] == "ACTIVE"
    assert body["agentConnected"] is True
    assert body["version"] == 1
    assert body["runningTasksCount"] == 0 and body["pendingTasksCount"] == 0
    assert body["registeredAt"].timestamp() == START
    assert body["versionInfo"]["agentVersion"] == "1.70.0"
    assert body["tags"] == [{"key": "env", "value": "prod"}]
    registered = _resources(body["registeredResources"])
    assert registered == {"CPU": 4096, "MEMORY": 7680, "PORTS": ["22", "2375", "2376", "51678", "51679"],
                          "PORTS_UDP": ["53"]}
    assert _resources(body["remainingResources"]) == registered
    attributes = {a["name"]: a.get("value") for a in body["attributes"]}
    assert attributes["ecs.instance-type"] == "c5.xlarge"
    assert attributes["ecs.availability-zone"] == "us-east-1b"
    assert attributes["ecs.ami-id"] == "ami-0123456789abcdef0"
    assert attributes["ecs.os-type"] == "linux"
    assert attributes["ecs.cpu-architecture"] == "x86_64"
    assert attributes["team"] == "data"
    assert "gpu" in attributes and attributes["gpu"] is None
    assert _count(ecs, "prod") == 1


def test_register_without_identity_document_uses_defaults(ecs: Any) -> None:
    ecs.create_cluster()
    bodies = [ecs.register_container_instance()["containerInstance"] for _ in range(4)]
    for body in bodies:
        assert re.fullmatch(r"i-[0-9a-f]{17}", body["ec2InstanceId"])
        assert _resources(body["registeredResources"]) == {
            "CPU": 2048, "MEMORY": 4096, "PORTS": ["22", "2375", "2376", "51678", "51679"], "PORTS_UDP": []
        }
        assert body["tags"] == []
    zones = [{a["name"]: a.get("value") for a in b["attributes"]}["ecs.availability-zone"] for b in bodies]
    assert zones == ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1a"]
    assert len({b["containerInstanceArn"] for b in bodies}) == 4
    assert len({b["ec2InstanceId"] for b in bodies}) == 4
    assert _count(ecs, "default") == 4


def test_register_is_reproducible_for_a_seed() -> None:
    import boto3

    from pytest_ecsfake import EcsFake

    seen = []
    for _ in range(2):
        with EcsFake(seed=5):
            client = boto3.client("ecs", region_name="us-east-1")
            client.create_cluster()
            body = client.register_container_instance()["containerInstance"]
            seen.append((body["containerInstanceArn"], body["ec2InstanceId"]))
    assert seen[0] == seen[1]


def test_register_again_renews_the_same_instance(ecs: Any) -> None:
    ecs.create_cluster()
    first = ecs.register_container_instance(instanceIdentityDocument=_identity("i-0000000000000000a"))
    arn = first["containerInstance"]["containerInstanceArn"]
    again = ecs.register_container_instance(
        instanceIdentityDocument=_identity("i-0000000000000000a"),
        attributes=[{"name": "stage", "value": "blue"}],
    )["containerInstance"]
    assert again["containerInstanceArn"] == arn
    assert again["version"] == 2
    assert {"name": "stage", "value": "blue"} in again["attributes"]
    by_arn = ecs.register_container_instance(
        containerInstanceArn=arn,
        totalResources=[{"name": "CPU", "type": "INTEGER", "integerValue": 1024}],
    )["containerInstance"]
    assert by_arn["containerInstanceArn"] == arn
    assert _resources(by_arn["registeredResources"])["CPU"] == 1024
    assert _count(ecs, "default") == 1
    assert ecs.list_container_instances()["containerInstanceArns"] == [arn]


def test_register_errors(ecs: Any) -> None:
    with pytest.raises(ecs.exceptions.ClusterNotFoundException, match="Cluster not found."):
        ecs.register_container_instance(cluster="nope")
    ecs.create_cluster()
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="instanceIdentityDocument"):
        ecs.register_container_instance(instanceIdentityDocument="not json")
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="containerInstanceArn"):
        ecs.register_container_instance(containerInstanceArn=PREFIX + "container-instance/default/" + "0" * 32)
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="PORTS"):
        ecs.register_container_instance(
            totalResources=[{"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["http"]}]
        )
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="negative"):
        ecs.register_container_instance(totalResources=[{"name": "CPU", "type": "INTEGER", "integerValue": -1}])
    assert _count(ecs, "default") == 0


def test_register_external_instance(ecs: Any) -> None:
    ecs.create_cluster()
    body = ecs.register_container_instance(attributes=[{"name": "ecs.capability.external"}])["containerInstance"]
    assert re.fullmatch(r"mi-[0-9a-f]{17}", body["ec2InstanceId"])
    names = {a["name"] for a in body["attributes"]}
    assert "ecs.capability.external" in names and "ecs.os-type" in names
    assert "ecs.availability-zone" not in names and "ecs.instance-type" not in names


# -- add_container_instance -----------------------------------------------------------------------------
def test_add_container_instance(ecs: Any, ecs_fake: Any) -> None:
    ecs.create_cluster(clusterName="batch")
    arn = ecs_fake.add_container_instance(
        "batch", cpu=4096, memory=8192, instance_type="c6i.xlarge", availability_zone="us-east-1d",
        attributes={"team": "data", "spot": None},
    )
    assert re.fullmatch(PREFIX + r"container-instance/batch/[0-9a-f]{32}", arn)
    body = ecs.describe_container_instances(cluster="batch", containerInstances=[arn])["containerInstances"][0]
    attributes = {a["name"]: a.get("value") for a in body["attributes"]}
    assert attributes["ecs.instance-type"] == "c6i.xlarge"
    assert attributes["ecs.availability-zone"] == "us-east-1d"
    assert attributes["team"] == "data"
    assert "spot" in attributes and attributes["spot"] is None
    assert re.fullmatch(r"ami-[0-9a-f]{17}", attributes["ecs.ami-id"])
    assert _resources(body["registeredResources"])["CPU"] == 4096
    assert _resources(body["registeredResources"])["MEMORY"] == 8192
    assert _count(ecs, "batch") == 1


def test_add_container_instance_defaults(ecs: Any, ecs_fake: Any) -> None:
    ecs.create_cluster()
    arn = ecs_fake.add_container_instance()
    body = ecs.describe_container_instances(containerInstances=[arn])["containerInstances"][0]
    attributes = {a["name"]: a.get("value") for a in body["attributes"]}
    assert attributes["ecs.instance-type"] == "m5.large"
    assert attributes["ecs.availability-zone"] == "us-east-1a"
    assert _resources(body["registeredResources"])["CPU"] == 2048
    assert _resources(body["registeredResources"])["MEMORY"] == 4096


def test_add_container_instance_errors(ecs: Any, ecs_fake: Any) -> None:
    with pytest.raises(ClusterNotFoundException, match="Cluster not found."):
        ecs_fake.add_container_instance("missing")
    ecs.create_cluster()
    with pytest.raises(TypeError, match="cpu"):
        ecs_fake.add_container_instance(cpu="1 vCPU")
    with pytest.raises(TypeError, match="attributes"):
        ecs_fake.add_container_instance(attributes={"n": 3})
    assert _count(ecs, "default") == 0


# -- DescribeContainerInstances -------------------------------------------------------------------------
def test_describe_by_id_and_arn_with_missing(ecs: Any, ecs_fake: Any) -> None:
    ecs.create_cluster()
    ecs.create_cluster(clusterName="other")
    arn = ecs_fake.add_container_instance()
    elsewhere = ecs_fake.add_container_instance("other")
    ident = arn.rsplit("/", 1)[1]
    missing = "f" * 32
    body = ecs.describe_container_instances(containerInstances=[ident, arn, missing, elsewhere])
    assert [c["containerInstanceArn"] for c in body["containerInstances"]] == [arn, arn]
    assert body["failures"] == [
        {"arn": PREFIX + "container-instance/default/" + missing, "reason": "MISSING"},
        {"arn": elsewhere, "reason": "MISSING"},
    ]


def test_describe_include(ecs: Any, ecs_fake: Any) -> None:
    ecs.create_cluster()
    arn = ecs_fake.add_container_instance()
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "data"}])
    plain = ecs.describe_container_instances(containerInstances=[arn])["containerInstances"][0]
    assert plain["tags"] == []
    assert "healthStatus" not in plain
    full = ecs.describe_container_instances(
        containerInstances=[arn], include=["TAGS", "CONTAINER_INSTANCE_HEALTH"]
    )["containerInstances"][0]
    assert full["tags"] == [{"key": "team", "value": "data"}]
    assert full["healthStatus"]["overallStatus"] == "OK"
    assert full["healthStatus"]["details"][0]["type"] == "CONTAINER_RUNTIME"


def test_describe_errors(ecs: Any) -> None:
    with pytest.raises(ecs.exceptions.ClusterNotFoundException, match="Cluster not found."):
        ecs.describe_container_instances(cluster="nope", containerInstances=["a" * 32])
    ecs.create_cluster()
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="cannot be empty"):
        ecs.describe_container_instances(containerInstances=[])


# -- ListContainerInstances -----------------------------------------------------------------------------
def test_list_pages_and_paginator(ecs: Any, ecs_fake: Any) -> None:
    ecs.create_cluster()
    arns = [ecs_fake.add_container_instance() for _ in range(5)]
    first = ecs.list_container_instances(maxResults=2)
    assert first["containerInstanceArns"] == arns[:2]
    second = ecs.list_container_instances(maxResults=2, nextToken=first["nextToken"])
    assert second["containerInstanceArns"] == arns[2:4]
    last = ecs.list_container_instances(maxResults=2, nextToken=second["nextToken"])
    assert last["containerInstanceArns"] == arns[4:]
    assert "nextToken" not in last
    listed = [a for p in ecs.get_paginator("list_container_instances").paginate(
        PaginationConfig={"PageSize": 3}) for a in p["containerInstanceArns"]]
    assert listed == arns
    with pytest.raises(ecs.exceptions.ClusterNotFoundException):
        ecs.list_container_instances(cluster="nope")


@pytest.fixture
def fleet(ecs: Any, ecs_fake: Any) -> dict[str, str]:
    """Four instances of cluster "fleet", by a short name; "late" registers a day after the others."""
    ecs.create_cluster(clusterName="fleet")
    made = {
        "big": ecs_fake.add_container_instance("fleet", instance_type="m5.large", availability_zone="us-east-1a",
                                               attributes={"team": "data"}),
        "tiny": ecs_fake.add_container_instance("fleet", instance_type="t3.micro", availability_zone="us-east-1b",
                                                attributes={"team": "web", "gpu": None}),
        "small": ecs_fake.add_container_instance("fleet", instance_type="t3.small", availability_zone="us-east-1c"),
    }
    ecs_fake.advance(86400)
    made["late"] = ecs_fake.add_container_instance("fleet", instance_type="m5.large",
                                                   availability_zone="us-east-1a", attributes={"team": "web"})
    return made


def _listed(ecs: Any, fleet: dict[str, str], **kwargs: Any) -> set[str]:
    arns = ecs.list_container_instances(cluster="fleet", **kwargs)["containerInstanceArns"]
    names = {arn: name for name, arn in fleet.items()}
    return {names[a] for a in arns}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("attribute:ecs.instance-type == m5.large", {"big", "late"}),
        ("attribute:ecs.instance-type equals t3.micro", {"tiny"}),
        ("attribute:ecs.instance-type != m5.large", {"tiny", "small"}),
        ("attribute:ecs.instance-type =~ t3.*", {"tiny", "small"}),
        ("attribute:ecs.instance-type =~ t3*", {"tiny", "small"}),
        ("attribute:ecs.instance-type !~ t3.*", {"big", "late"}),
        ("attribute:team =~ '*eb'", {"tiny", "late"}),
        ("attribute:team matches '(web|data)'", {"big", "tiny", "late"}),
        ("attribute:team not_matches data", {"tiny", "small", "late"}),
        ("attribute:ecs.availability-zone in [us-east-1b, us-east-1c]", {"tiny", "small"}),
        ("attribute:ecs.availability-zone not_in (us-east-1b, us-east-1c)", {"big", "late"}),
        ("attribute:ecs.availability-zone !in [us-east-1a]", {"tiny", "small"}),
        ("attribute:gpu exists", {"tiny"}),
        ("attribute:gpu !exists", {"big", "small", "late"}),
        ("attribute:team exists and attribute:team == web", {"tiny", "late"}),
        ("attribute:team == web && attribute:ecs.availability-zone == us-east-1a", {"late"}),
        ("attribute:team == data or attribute:ecs.instance-type == t3.small", {"big", "small"}),
        ("attribute:team == data || attribute:gpu exists", {"big", "tiny"}),
        ("(attribute:team == web or attribute:team == data) and attribute:ecs.instance-type =~ m5.*",
         {"big", "late"}),
        ("not(attribute:team exists)", {"small"}),
        ("!(attribute:ecs.instance-type == m5.large)", {"tiny", "small"}),
        ("attribute:team != web", {"big", "small"}),
        ("attribute:ecs.os-type == linux", {"big", "tiny", "small", "late"}),
        ("attribute:team == 'web'", {"tiny", "late"}),
        ("registeredAt > 2025-01-01T12:00:00Z", {"late"}),
        ("registeredAt <= 2025-01-01", {"big", "tiny", "small"}),
        ("registeredAt < 2025-01-02T00:00:01+00:00", {"big", "tiny", "small", "late"}),
        ("runningTasksCount == 0", {"big", "tiny", "small", "late"}),
        ("agentConnected == true", {"big", "tiny", "small", "late"}),
        ("agentVersion >= 1.0.0", {"big", "tiny", "small", "late"}),
        ("task:group == family:web", set()),
    ],
)
def test_list_filter(ecs: Any, fleet: dict[str, str], expression: str, expected: set[str]) -> None:
    assert _listed(ecs, fleet, filter=expression) == expected


def test_list_filter_by_ec2_instance_id(ecs: Any, fleet: dict[str, str]) -> None:
    body = ecs.describe_container_instances(cluster="fleet", containerInstances=[fleet["tiny"], fleet["small"]])
    tiny, small = (c["ec2InstanceId"] for c in body["containerInstances"])
    assert _listed(ecs, fleet, filter=f"ec2InstanceId == {tiny}") == {"tiny"}
    assert _listed(ecs, fleet, filter=f"ec2InstanceId in ['{tiny}', '{small}']") == {"tiny", "small"}


def test_list_filter_by_task_group_and_running_count(ecs: Any, ecs_fake: Any, fleet: dict[str, str]) -> None:
    instance = _state(ecs_fake).container_instances[fleet["tiny"].rsplit("/", 1)[1]]
    reserve(instance, PREFIX + "task/fleet/" + "1" * 32, "family:web", Demand(cpu=128, memory=128))
    assert _listed(ecs, fleet, filter="task:group == family:web") == {"tiny"}
    assert _listed(ecs, fleet, filter="task:group != family:web") == {"big", "small", "late"}
    assert _listed(ecs, fleet, filter="runningTasksCount > 0") == {"tiny"}


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("attribute:ecs.instance-type ==", "expected a value"),
        ("ecs.instance-type == m5.large", "unknown subject"),
        ("attribute:team == web and", "expected a term"),
        ("attribute:team in [a, b", "expected ']'"),
        ("(attribute:team exists", "expected ')'"),
        ("attribute:team exists extra", "unexpected 'extra'"),
        ("registeredAt > yesterday", "not a date"),
        ("agentVersion =~ 1.*", "does not apply"),
        ("attribute:team ?? web", "expected an operator"),
        ("attribute:team = web", "unexpected character"),
        ("attribute:team =~ '(web'", "not a valid pattern"),
        ("runningTasksCount > many", "compares with a number"),
        ("agentConnected == yes", "true or false"),
        ("agentVersion > latest", "version such as"),
        ("attribute: exists", "unknown subject"),
        ("attribute:team in web", "expected a list"),
        ("attribute:team in [a; b]", "expected ',' or ']'"),
    ],
)
def test_list_filter_invalid(ecs: Any, fleet: dict[str, str], expression: str, fragment: str) -> None:
    with pytest.raises(ecs.exceptions.InvalidParameterException) as info:
        ecs.list_container_instances(cluster="fleet", filter=expression)
    message = info.value.response["Error"]["Message"]
    assert expression in message
    assert fragment in message


def test_list_status_filter(ecs: Any, fleet: dict[str, str]) -> None:
    ecs.update_container_instances_state(cluster="fleet", containerInstances=[fleet["tiny"]], status="DRAINING")
    ecs.deregister_container_instance(cluster="fleet", containerInstance=fleet["small"])
    assert _listed(ecs, fleet) == {"big", "tiny", "late"}
    assert _listed(ecs, fleet, status="DRAINING") == {"tiny"}
    assert _listed(ecs, fleet, status="ACTIVE") == {"big", "late"}
    assert _listed(ecs, fleet, status="REGISTERING") == set()
    assert _listed(ecs, fleet, status="ACTIVE", filter="attribute:team == web") == {"late"}


# -- UpdateContainerInstancesState ----------------------------------------------------------------------
def test_drain_and_reactivate(ecs: Any, fleet: dict[str, str]) -> None:
    missing = "0" * 32
    body = ecs.update_container_instances_state(
        cluster="fleet", containerInstances=[fleet["big"], missing], status="DRAINING"
    )
    assert [(c["containerInstanceArn"], c["status"], c["version"]) for c in body["containerInstances"]] == [
        (fleet["big"], "DRAINING", 2)
    ]
    assert body["failures"] == [{"arn": PREFIX + "container-instance/fleet/" + missing, "reason": "MISSING"}]
    assert _count(ecs, "fleet") == 4  # DRAINING instances stay registered
    again = ecs.update_container_instances_state(cluster="fleet", containerInstances=[fleet["big"]],
                                                 status="DRAINING")
    assert again["containerInstances"][0]["version"] == 2  # no change, no new version
    back = ecs.update_container_instances_state(cluster="fleet", containerInstances=[fleet["big"]],
                                                status="ACTIVE")
    assert back["containerInstances"][0]["status"] == "ACTIVE"
    assert _listed(ecs, fleet, status="DRAINING") == set()


def test_update_state_errors(ecs: Any, fleet: dict[str, str]) -> None:
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="ACTIVE or DRAINING"):
        ecs.update_container_instances_state(cluster="fleet", containerInstances=[fleet["big"]],
                                             status="REGISTERING")
    ecs.deregister_container_instance(cluster="fleet", containerInstance=fleet["big"])
    body = ecs.update_container_instances_state(cluster="fleet", containerInstances=[fleet["big"]],
                                                status="DRAINING")
    assert body == {"containerInstances": [], "failures": [{"arn": fleet["big"], "reason": "INACTIVE"}],
                    "ResponseMetadata": body["ResponseMetadata"]}
    with pytest.raises(ecs.exceptions.ClusterNotFoundException):
        ecs.update_container_instances_state(cluster="nope", containerInstances=["x"], status="ACTIVE")


# -- DeregisterContainerInstance ------------------------------------------------------------------------
def test_deregister(ecs: Any, ecs_fake: Any) -> None:
    ecs.create_cluster()
    arn = ecs_fake.add_container_instance()
    keep = ecs_fake.add_container_instance()
    body = ecs.deregister_container_instance(containerInstance=arn.rsplit("/", 1)[1])["containerInstance"]
    assert body["status"] == "INACTIVE"
    assert body["containerInstanceArn"] == arn
    assert _count(ecs, "default") == 1
    assert ecs.list_container_instances()["containerInstanceArns"] == [keep]
    described = ecs.describe_container_instances(containerInstances=[arn])["containerInstances"]
    assert described[0]["status"] == "INACTIVE"
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="not found"):
        ecs.deregister_container_instance(containerInstance=arn)
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="not found"):
        ecs.deregister_container_instance(containerInstance="a" * 32)
    with pytest.raises(ecs.exceptions.ClusterNotFoundException):
        ecs.deregister_container_instance(cluster="nope", containerInstance=keep)


def test_deregister_with_tasks_needs_force(ecs: Any, ecs_fake: Any) -> None:
    ecs.create_cluster()
    arn = ecs_fake.add_container_instance()
    instance = _state(ecs_fake).container_instances[arn.rsplit("/", 1)[1]]
    task = PREFIX + "task/default/" + "2" * 32
    reserve(instance, task, "family:web", Demand(cpu=256, memory=512))
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="Found running tasks on the instance."):
        ecs.deregister_container_instance(containerInstance=arn)
    assert _count(ecs, "default") == 1
    body = ecs.deregister_container_instance(containerInstance=arn, force=True)["containerInstance"]
    assert body["status"] == "INACTIVE"
    assert _count(ecs, "default") == 0
    release(instance, task)


def test_cluster_with_instances_cannot_be_deleted(ecs: Any, ecs_fake: Any) -> None:
    ecs.create_cluster(clusterName="c")
    arn = ecs_fake.add_container_instance("c")
    ecs.update_container_instances_state(cluster="c", containerInstances=[arn], status="DRAINING")
    with pytest.raises(ecs.exceptions.ClusterContainsContainerInstancesException):
        ecs.delete_cluster(cluster="c")
    ecs.deregister_container_instance(cluster="c", containerInstance=arn)
    assert ecs.delete_cluster(cluster="c")["cluster"]["status"] == "INACTIVE"
    ecs.create_cluster(clusterName="c")
    assert ecs.list_container_instances(cluster="c")["containerInstanceArns"] == []
    assert ecs.describe_container_instances(cluster="c", containerInstances=[arn])["failures"] == [
        {"arn": arn, "reason": "MISSING"}
    ]


# -- tags -------------------------------------------------------------------------------------------------
def test_tags_on_container_instances(ecs: Any, ecs_fake: Any) -> None:
    ecs.create_cluster()
    arn = ecs.register_container_instance(tags=[{"key": "a", "value": "1"}])["containerInstance"][
        "containerInstanceArn"
    ]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "b", "value": "2"}])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"key": "a", "value": "1"}, {"key": "b", "value": "2"}
    ]
    ecs.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "b", "value": "2"}]
    with pytest.raises(ecs.exceptions.ResourceNotFoundException):
        ecs.list_tags_for_resource(resourceArn=PREFIX + "container-instance/default/" + "9" * 32)
    with pytest.raises(ecs.exceptions.ResourceNotFoundException):
        ecs.list_tags_for_resource(resourceArn=arn.replace("/default/", "/other/"))
    ecs.deregister_container_instance(containerInstance=arn)
    with pytest.raises(ecs.exceptions.ResourceNotFoundException):
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "c", "value": "3"}])


def test_register_rejects_too_many_tags(ecs: Any) -> None:
    ecs.create_cluster()
    with pytest.raises(ecs.exceptions.InvalidParameterException):
        ecs.register_container_instance(tags=[{"key": f"k{i}", "value": "v"} for i in range(51)])
    assert _count(ecs, "default") == 0
