"""RegisterTaskDefinition and friends: revisions, defaults AWS fills in, Fargate rules, listing."""

from __future__ import annotations

from typing import Any

import pytest

TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/{}"


def web(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "family": "web",
        "containerDefinitions": [{"name": "app", "image": "nginx:1.27", "memory": 512,
                                  "portMappings": [{"containerPort": 80}]}],
    }
    body.update(extra)
    return body


def fargate(cpu: str = "256", memory: str = "512", **extra: Any) -> dict[str, Any]:
    options: dict[str, Any] = {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": cpu,
                               "memory": memory}
    options.update(extra)
    return web(**options)


def test_register_fills_in_what_aws_fills_in(ecs: Any, ecs_fake: Any) -> None:
    answer = ecs.register_task_definition(**web(tags=[{"key": "k", "value": "v"}]))
    td = answer["taskDefinition"]
    assert td["taskDefinitionArn"] == TD.format("web:1")
    assert (td["family"], td["revision"], td["status"]) == ("web", 1, "ACTIVE")
    assert td["containerDefinitions"] == [{
        "name": "app", "image": "nginx:1.27", "memory": 512, "cpu": 0, "essential": True,
        "portMappings": [{"containerPort": 80, "protocol": "tcp"}],
        "environment": [], "mountPoints": [], "volumesFrom": [], "systemControls": [],
    }]
    assert td["compatibilities"] == ["EC2"]
    assert td["registeredAt"] == ecs_fake.now
    assert td["registeredBy"] == "arn:aws:iam::123456789012:root"
    assert answer["tags"] == [{"key": "k", "value": "v"}]


def test_an_efs_volume_gets_the_root_directory_aws_fills_in(ecs: Any) -> None:
    volumes = [{"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-0123456789abcdef0"}},
               {"name": "sub", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "rootDirectory": "/exports"}},
               {"name": "scratch", "host": {}}]
    td = ecs.register_task_definition(**web(volumes=volumes))["taskDefinition"]
    assert td["volumes"] == [
        {"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-0123456789abcdef0", "rootDirectory": "/"}},
        {"name": "sub", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "rootDirectory": "/exports"}},
        {"name": "scratch", "host": {}},
    ]
    assert volumes[0]["efsVolumeConfiguration"] == {"fileSystemId": "fs-0123456789abcdef0"}  # the caller's own
    described = ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]
    assert described["volumes"] == td["volumes"]


def test_revisions_count_per_family_and_latest_active_wins(ecs: Any) -> None:
    for _ in range(3):
        ecs.register_task_definition(**web())
    ecs.register_task_definition(**web(family="worker"))
    assert ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]["revision"] == 3
    ecs.deregister_task_definition(taskDefinition="web:3")
    assert ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]["revision"] == 2
    inactive = ecs.describe_task_definition(taskDefinition=TD.format("web:3"))["taskDefinition"]
    assert inactive["status"] == "INACTIVE" and "deregisteredAt" in inactive
    assert ecs.register_task_definition(**web())["taskDefinition"]["revision"] == 4


def test_fargate_definition(ecs: Any) -> None:
    td = ecs.register_task_definition(**fargate(cpu="1 vCPU", memory="2 GB",
                                                executionRoleArn="arn:aws:iam::123456789012:role/x"))
    td = td["taskDefinition"]
    assert (td["cpu"], td["memory"]) == ("1024", "2048")  # AWS answers normalised units
    assert td["compatibilities"] == ["EC2", "FARGATE"]
    assert td["containerDefinitions"][0]["portMappings"] == [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]
    assert {"name": "ecs.capability.task-eni"} in td["requiresAttributes"]


@pytest.mark.parametrize(
    ("cpu", "memory", "ok"),
    [
        ("256", "512", True), ("256", "2048", True), ("256", "4096", False),
        ("512", "4096", True), ("512", "5120", False),
        ("1024", "8192", True), ("2048", "16384", True), ("4096", "30720", True), ("4096", "31744", False),
        ("8192", "61440", True), ("8192", "17408", False), ("16384", "122880", True), ("16384", "33792", False),
        ("128", "512", False),
    ],
)
def test_fargate_cpu_memory_pairs(ecs: Any, cpu: str, memory: str, ok: bool) -> None:
    if ok:
        assert ecs.register_task_definition(**fargate(cpu, memory))["taskDefinition"]["memory"] == memory
    else:
        with pytest.raises(ecs.exceptions.ClientException) as error:
            ecs.register_task_definition(**fargate(cpu, memory))
        assert error.value.response["Error"]["Message"] == (
            f"No Fargate configuration exists for given values: {cpu} CPU, {memory} memory. "
            "See the Amazon ECS documentation for the valid values."
        )


@pytest.mark.parametrize(
    ("cpu", "memory", "shown"),
    [
        ("512", "512", "512 CPU, 512 memory"),  # AWS's own example (FIDELITY.md "Observed since")
        ("256", "4096", "256 CPU, 4096 memory"),
        # Units are shown as the fake normalises them, as it answers them when the pair is valid.
        ("1 vCPU", "1 GB", "1024 CPU, 1024 memory"),
        ("0.25 vCPU", "4GB", "256 CPU, 4096 memory"),
        ("2 vcpu", "512 MiB", "2048 CPU, 512 memory"),
    ],
)
def test_bad_fargate_pair_names_the_values(ecs: Any, cpu: str, memory: str, shown: str) -> None:
    with pytest.raises(ecs.exceptions.ClientException) as error:
        ecs.register_task_definition(**fargate(cpu, memory))
    assert error.value.response["Error"]["Message"] == (
        f"No Fargate configuration exists for given values: {shown}. "
        "See the Amazon ECS documentation for the valid values."
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (fargate(networkMode="bridge"), "Fargate only supports network mode 'awsvpc'."),
        ({k: v for k, v in fargate().items() if k != "cpu"},
         "Fargate requires that 'cpu' be defined at the task level."),
        ({k: v for k, v in fargate().items() if k != "memory"}, "'memory' be defined at the task level."),
        (web(containerDefinitions=[]), "Container list cannot be empty."),
        (web(containerDefinitions=[{"name": "a", "image": "x"}]),
         "Invalid setting for container 'a'. At least one of 'memory' or 'memoryReservation' must be specified."),
        (web(containerDefinitions=[{"name": "a", "image": "x", "memory": 1}, {"name": "a", "image": "y", "memory": 1}]),
         "Duplicate container name 'a'"),
        (web(containerDefinitions=[{"name": "a", "image": "x", "memory": 1, "essential": False}]),
         "at least one essential container"),
        (web(cpu="lots"), "operation: Invalid 'cpu' setting for task. For more information, see the Troubleshooting "
                          "section of the Amazon ECS Developer Guide."),
    ],
)
def test_register_rules(ecs: Any, body: dict[str, Any], message: str) -> None:
    with pytest.raises(ecs.exceptions.ClientException) as info:
        ecs.register_task_definition(**body)
    assert message in str(info.value)


def test_family_pattern_is_a_schema_rule_in_aws_words(ecs: Any) -> None:
    with pytest.raises(ecs.exceptions.ClientException) as caught:
        ecs.register_task_definition(**web(family="bad family!"))
    assert caught.value.response["Error"]["Message"] == "Family contains invalid characters."
    with pytest.raises(ecs.exceptions.ClientException) as caught:
        ecs.register_task_definition(**web(containerDefinitions=[{"name": "web app", "image": "x"}]))
    assert caught.value.response["Error"]["Message"] == "Container.name contains invalid characters."


def test_a_container_without_an_image_gets_aws_s_sentence_and_the_record_names_it(ecs: Any, ecs_fake: Any) -> None:
    with pytest.raises(ecs.exceptions.ClientException) as caught:
        ecs.register_task_definition(family="t", memory="512", containerDefinitions=[
            {"name": "app", "image": "x"}, {"name": "side", "image": ""}])
    assert caught.value.response["Error"]["Message"] == "Container.image should not be null or empty."
    assert ecs_fake.calls[-1].violations == ("containerDefinitions: the container 'side' has no image",)


def test_host_pid_mode_on_fargate_is_answered_and_the_reference_s_rule_recorded(ecs: Any, ecs_fake: Any) -> None:
    ecs.register_task_definition(family="t", requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256",
                                 memory="512", pidMode="host", containerDefinitions=[{"name": "a", "image": "x"}])
    assert ecs_fake.calls[-1].violations == (
        "RegisterTaskDefinition: on Fargate for Linux containers, the only valid pidMode is task",)
    ecs.register_task_definition(family="t", requiresCompatibilities=["EC2"], pidMode="host", memory="512",
                                 containerDefinitions=[{"name": "a", "image": "x"}])
    assert ecs_fake.calls[-1].violations == ()


def test_task_level_memory_is_enough_on_ec2(ecs: Any) -> None:
    td = ecs.register_task_definition(family="t", memory="1024",
                                      containerDefinitions=[{"name": "a", "image": "x"}])["taskDefinition"]
    assert td["memory"] == "1024"


def test_describe_unknown_and_include_tags(ecs: Any) -> None:
    with pytest.raises(ecs.exceptions.ClientException, match="Unable to describe task definition."):
        ecs.describe_task_definition(taskDefinition="nope")
    with pytest.raises(ecs.exceptions.ClientException, match="Unable to describe task definition."):
        ecs.describe_task_definition(taskDefinition="web:9")
    ecs.register_task_definition(**web(tags=[{"key": "k", "value": "v"}]))
    assert "tags" not in ecs.describe_task_definition(taskDefinition="web")
    assert ecs.describe_task_definition(taskDefinition="web", include=["TAGS"])["tags"] == [{"key": "k", "value": "v"}]


def test_deregister_needs_a_revision(ecs: Any) -> None:
    ecs.register_task_definition(**web())
    with pytest.raises(ecs.exceptions.ClientException, match="family:revision"):
        ecs.deregister_task_definition(taskDefinition="web")
    with pytest.raises(ecs.exceptions.ClientException, match="does not exist"):
        ecs.deregister_task_definition(taskDefinition="web:2")
    td = ecs.deregister_task_definition(taskDefinition=TD.format("web:1"))["taskDefinition"]
    assert td["status"] == "INACTIVE"


def test_list_task_definitions_filters_sorts_and_pages(ecs: Any) -> None:
    for family in ("b", "a", "b", "a", "c"):
        ecs.register_task_definition(**web(family=family))
    ecs.deregister_task_definition(taskDefinition="c:1")
    assert ecs.list_task_definitions()["taskDefinitionArns"] == [TD.format(x) for x in ("a:1", "a:2", "b:1", "b:2")]
    assert ecs.list_task_definitions(sort="DESC")["taskDefinitionArns"][0] == TD.format("b:2")
    assert ecs.list_task_definitions(familyPrefix="a")["taskDefinitionArns"] == [TD.format("a:1"), TD.format("a:2")]
    assert ecs.list_task_definitions(familyPrefix="b", status="INACTIVE")["taskDefinitionArns"] == []
    assert ecs.list_task_definitions(status="INACTIVE")["taskDefinitionArns"] == [TD.format("c:1")]
    pages = list(ecs.get_paginator("list_task_definitions").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(p["taskDefinitionArns"]) for p in pages] == [3, 1]


def test_list_task_definition_families(ecs: Any) -> None:
    for family in ("web-api", "web-ui", "worker"):
        ecs.register_task_definition(**web(family=family))
    ecs.deregister_task_definition(taskDefinition="worker:1")
    assert ecs.list_task_definition_families()["families"] == ["web-api", "web-ui", "worker"]
    assert ecs.list_task_definition_families(familyPrefix="web")["families"] == ["web-api", "web-ui"]
    assert ecs.list_task_definition_families(status="ACTIVE")["families"] == ["web-api", "web-ui"]
    assert ecs.list_task_definition_families(status="INACTIVE")["families"] == ["worker"]
    first = ecs.list_task_definition_families(maxResults=2)
    assert first["families"] == ["web-api", "web-ui"]
    assert ecs.list_task_definition_families(nextToken=first["nextToken"])["families"] == ["worker"]
