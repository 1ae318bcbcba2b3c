"""PutAttributes, DeleteAttributes, ListAttributes on container instances, and what placement makes of them."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from pytest_ecsfake import EcsFake

EC2_WEB = {
    "family": "web",
    "requiresCompatibilities": ["EC2"],
    "containerDefinitions": [{"name": "app", "image": "web:1", "memory": 256}],
}


@pytest.fixture
def client(ecs_fake: EcsFake) -> Any:
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    return ecs


def _attributes(ecs: Any, arn: str) -> dict[str, str | None]:
    body = ecs.describe_container_instances(cluster="c", containerInstances=[arn])["containerInstances"][0]
    return {a["name"]: a.get("value") for a in body["attributes"]}


def test_put_attribute_after_registration_steers_member_of_placement(ecs_fake: EcsFake, ecs: Any) -> None:
    """The whole flow, through the botocore hook and over ``fake.serve()``."""
    ecs.create_cluster(clusterName="c")
    plain = ecs_fake.add_container_instance("c")
    tagged = ecs_fake.add_container_instance("c")
    ecs.register_task_definition(**EC2_WEB, placementConstraints=[
        {"type": "memberOf", "expression": "attribute:stack == production"}])
    refused = ecs.run_task(cluster="c", taskDefinition="web")
    assert refused["tasks"] == [] and {f["reason"] for f in refused["failures"]} == {
        "MemberOf placement constraint unsatisfied."}

    answer = ecs.put_attributes(cluster="c", attributes=[{"name": "stack", "value": "production", "targetId": tagged}])
    assert answer["attributes"] == [{"name": "stack", "value": "production", "targetId": tagged}]
    assert _attributes(ecs, tagged)["stack"] == "production" and "stack" not in _attributes(ecs, plain)
    placed = ecs.run_task(cluster="c", taskDefinition="web", count=3)
    assert placed["failures"] == [] and {t["containerInstanceArn"] for t in placed["tasks"]} == {tagged}
    listed = ecs.list_attributes(cluster="c", targetType="container-instance", attributeName="stack")
    assert listed["attributes"] == [
        {"name": "stack", "value": "production", "targetType": "container-instance", "targetId": tagged}]

    deleted = ecs.delete_attributes(cluster="c", attributes=[{"name": "stack", "targetId": tagged}])
    assert deleted["attributes"] == [{"name": "stack", "value": "production", "targetId": tagged}]
    assert "stack" not in _attributes(ecs, tagged)
    again = ecs.run_task(cluster="c", taskDefinition="web")
    assert again["tasks"] == [] and len(again["failures"]) == 2


def test_run_task_constraint_sees_a_replaced_value(ecs_fake: EcsFake, client: Any) -> None:
    arn = ecs_fake.add_container_instance("c", attributes={"tier": "blue"})
    instance_id = arn.rsplit("/", 1)[1]
    client.register_task_definition(**EC2_WEB)
    green = [{"type": "memberOf", "expression": "attribute:tier == green"}]
    assert client.run_task(cluster="c", taskDefinition="web", placementConstraints=green)["tasks"] == []
    version = client.describe_container_instances(cluster="c", containerInstances=[arn])["containerInstances"][0][
        "version"]
    # A bare id with its target type names the instance as well as its ARN does.
    client.put_attributes(cluster="c", attributes=[
        {"name": "tier", "value": "green", "targetType": "container-instance", "targetId": instance_id}])
    body = client.describe_container_instances(cluster="c", containerInstances=[arn])["containerInstances"][0]
    assert body["version"] == version + 1
    assert client.run_task(cluster="c", taskDefinition="web", placementConstraints=green)["tasks"][0][
        "containerInstanceArn"] == arn


def test_attribute_without_value_satisfies_exists(ecs_fake: EcsFake, client: Any) -> None:
    arn = ecs_fake.add_container_instance("c")
    answer = client.put_attributes(cluster="c", attributes=[{"name": "gpu-ready", "targetId": arn}])
    assert answer["attributes"] == [{"name": "gpu-ready", "targetId": arn}]
    assert _attributes(client, arn)["gpu-ready"] is None
    client.register_task_definition(**EC2_WEB)
    exists = [{"type": "memberOf", "expression": "attribute:gpu-ready exists"}]
    assert client.run_task(cluster="c", taskDefinition="web", placementConstraints=exists)["failures"] == []
    assert client.list_container_instances(cluster="c", filter="attribute:gpu-ready exists")[
        "containerInstanceArns"] == [arn]


def test_more_than_ten_custom_attributes_is_refused_and_nothing_changes(ecs_fake: EcsFake, client: Any) -> None:
    arn = ecs_fake.add_container_instance("c", attributes={f"a{i}": "x" for i in range(8)})
    before = _attributes(client, arn)
    # Built-in attributes (ecs.*, com.amazonaws.ecs.*) do not count: the instance has dozens already.
    assert sum(1 for n in before if n.startswith(("ecs.", "com.amazonaws.ecs."))) > 10
    client.put_attributes(cluster="c", attributes=[{"name": "a8", "value": "x", "targetId": arn},
                                                   {"name": "a0", "value": "replaced", "targetId": arn}])
    with pytest.raises(client.exceptions.AttributeLimitExceededException) as raised:
        client.put_attributes(cluster="c", attributes=[{"name": "a0", "value": "again", "targetId": arn},
                                                       {"name": "a9", "value": "x", "targetId": arn},
                                                       {"name": "a10", "value": "x", "targetId": arn}])
    assert "up to 10 custom attributes" in raised.value.response["Error"]["Message"]
    after = _attributes(client, arn)
    assert after["a0"] == "replaced" and "a9" not in after and len(after) == len(before) + 1
    # Built-in names may be overwritten, and do not count towards the limit.
    client.put_attributes(cluster="c", attributes=[{"name": "ecs.os-type", "value": "linux", "targetId": arn},
                                                   {"name": "a9", "value": "x", "targetId": arn}])
    assert _attributes(client, arn)["a9"] == "x"


def test_put_attributes_errors(ecs_fake: EcsFake, client: Any) -> None:
    arn = ecs_fake.add_container_instance("c")
    other = "arn:aws:ecs:us-east-1:123456789012:container-instance/c/" + "0" * 32
    with pytest.raises(client.exceptions.TargetNotFoundException):
        client.put_attributes(cluster="c", attributes=[{"name": "x", "value": "1", "targetId": other}])
    with pytest.raises(client.exceptions.TargetNotFoundException):  # the instance is in cluster c, not default
        client.create_cluster(clusterName="default")
        client.put_attributes(attributes=[{"name": "x", "value": "1", "targetId": arn}])
    with pytest.raises(client.exceptions.ClusterNotFoundException):
        client.put_attributes(cluster="nope", attributes=[{"name": "x", "value": "1", "targetId": arn}])
    with pytest.raises(client.exceptions.InvalidParameterException):  # at most 10 a call [M:PutAttributesRequest]
        client.put_attributes(cluster="c", attributes=[{"name": f"n{i}", "targetId": arn} for i in range(11)])
    with pytest.raises(client.exceptions.InvalidParameterException):  # 1-128 characters [M:Attribute.name]
        client.put_attributes(cluster="c", attributes=[{"name": "n" * 129, "targetId": arn}])
    # One unknown target in the call: nothing is put on the good one either.
    with pytest.raises(client.exceptions.TargetNotFoundException):
        client.put_attributes(cluster="c", attributes=[{"name": "x", "value": "1", "targetId": arn},
                                                       {"name": "x", "value": "1", "targetId": other}])
    assert "x" not in _attributes(client, arn)
    client.deregister_container_instance(cluster="c", containerInstance=arn)
    with pytest.raises(client.exceptions.TargetNotFoundException):
        client.put_attributes(cluster="c", attributes=[{"name": "x", "value": "1", "targetId": arn}])
    with pytest.raises(client.exceptions.TargetNotFoundException):
        client.delete_attributes(cluster="c", attributes=[{"name": "x", "targetId": arn}])


def test_list_attributes_filters_and_pages(ecs_fake: EcsFake, client: Any) -> None:
    first = ecs_fake.add_container_instance("c", attributes={"role": "db"})
    second = ecs_fake.add_container_instance("c", attributes={"role": "web"})
    everything = client.list_attributes(cluster="c", targetType="container-instance", maxResults=100)["attributes"]
    assert {a["targetId"] for a in everything} == {first, second}
    assert {"name": "ecs.os-type", "value": "linux", "targetType": "container-instance",
            "targetId": first} in everything  # built-in attributes are listed too
    web = client.list_attributes(cluster="c", targetType="container-instance", attributeName="role",
                                 attributeValue="web")["attributes"]
    assert web == [{"name": "role", "value": "web", "targetType": "container-instance", "targetId": second}]
    by_value = client.list_attributes(cluster="c", targetType="container-instance", attributeValue="web")
    assert by_value["attributes"] == web  # only the model asks for attributeName too: answered, and recorded
    assert ecs_fake.calls[-1].violations[0].startswith("attributeValue needs attributeName (documented")
    with pytest.raises(client.exceptions.ClusterNotFoundException):
        client.list_attributes(cluster="nope", targetType="container-instance")
    first_page = client.list_attributes(cluster="c", targetType="container-instance", maxResults=5)
    assert len(first_page["attributes"]) == 5 and first_page["nextToken"]
    paged = [a for p in client.get_paginator("list_attributes").paginate(
        cluster="c", targetType="container-instance", PaginationConfig={"PageSize": 7}) for a in p["attributes"]]
    assert paged == everything
    client.deregister_container_instance(cluster="c", containerInstance=second)
    assert client.list_attributes(cluster="c", targetType="container-instance", attributeName="role")[
        "attributes"] == [{"name": "role", "value": "db", "targetType": "container-instance", "targetId": first}]


def test_delete_attributes_of_an_absent_name_succeeds(ecs_fake: EcsFake, client: Any) -> None:
    arn = ecs_fake.add_container_instance("c", attributes={"keep": "1"})
    answer = client.delete_attributes(cluster="c", attributes=[{"name": "never-set", "targetId": arn}])
    assert answer["attributes"] == [{"name": "never-set", "targetId": arn}]
    assert _attributes(client, arn)["keep"] == "1"


def test_a_service_waiting_for_a_member_of_instance_places_once_the_attribute_is_put(
        ecs_fake: EcsFake, client: Any) -> None:
    arn = ecs_fake.add_container_instance("c")
    client.register_task_definition(**EC2_WEB)
    client.create_service(cluster="c", serviceName="api", taskDefinition="web", desiredCount=2, launchType="EC2",
                          placementConstraints=[{"type": "memberOf", "expression": "attribute:pool == api"}])
    ecs_fake.advance(60)
    assert client.list_tasks(cluster="c", serviceName="api")["taskArns"] == []
    client.put_attributes(cluster="c", attributes=[{"name": "pool", "value": "api", "targetId": arn}])
    ecs_fake.advance(60)  # the scheduler places again after service_placement_retry (30 s)
    arns = client.list_tasks(cluster="c", serviceName="api")["taskArns"]
    tasks = client.describe_tasks(cluster="c", tasks=arns)["tasks"]
    assert len(tasks) == 2 and {t["containerInstanceArn"] for t in tasks} == {arn}


def test_character_sets_are_documented_rules_recorded_on_the_call(ecs_fake: EcsFake, client: Any) -> None:
    arn = ecs_fake.add_container_instance("c")
    client.put_attributes(cluster="c", attributes=[{"name": "owner team", "value": "ops#1", "targetId": arn}])
    assert _attributes(client, arn)["owner team"] == "ops#1"  # answered: no AWS refusal of these is known
    violations = ecs_fake.calls_to("PutAttributes")[-1].violations
    assert len(violations) == 2 and all("documented" in v for v in violations)


def test_an_attribute_without_a_target_goes_on_every_instance_of_the_cluster(ecs_fake: EcsFake, client: Any) -> None:
    # AWS documents neither a refusal nor a meaning for it; moto's tests put it on the cluster's instances, and
    # the fake does the same rather than refuse a request AWS may accept.
    first, second = ecs_fake.add_container_instance("c"), ecs_fake.add_container_instance("c")
    answer = client.put_attributes(cluster="c", attributes=[{"name": "env", "value": "prod"}])
    assert answer["attributes"] == [{"name": "env", "value": "prod"}]
    assert _attributes(client, first)["env"] == _attributes(client, second)["env"] == "prod"
    client.delete_attributes(cluster="c", attributes=[{"name": "env"}])
    assert "env" not in _attributes(client, first) and "env" not in _attributes(client, second)
