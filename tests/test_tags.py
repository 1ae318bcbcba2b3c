"""TagResource, UntagResource, ListTagsForResource on clusters and task definitions."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_ecsfake import EcsFake


@pytest.fixture
def arns(ecs: Any) -> dict[str, str]:
    cluster = ecs.create_cluster(clusterName="c")["cluster"]["clusterArn"]
    td = ecs.register_task_definition(
        family="f", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}]
    )["taskDefinition"]["taskDefinitionArn"]
    return {"cluster": cluster, "task-definition": td}


@pytest.mark.parametrize("kind", ["cluster", "task-definition"])
def test_tag_untag_list(ecs: Any, arns: dict[str, str], kind: str) -> None:
    arn = arns[kind]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "3"}])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"key": "a", "value": "3"}, {"key": "b", "value": "2"}
    ]
    ecs.untag_resource(resourceArn=arn, tagKeys=["a", "never-set"])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "b", "value": "2"}]


def test_unknown_resources(ecs: Any, arns: dict[str, str]) -> None:
    with pytest.raises(ecs.exceptions.ClusterNotFoundException):
        ecs.list_tags_for_resource(resourceArn=arns["cluster"] + "x")
    with pytest.raises(ecs.exceptions.ResourceNotFoundException):
        missing_revision = arns["task-definition"].rsplit(":", 1)[0] + ":7"
        ecs.tag_resource(resourceArn=missing_revision, tags=[{"key": "k", "value": "v"}])
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="not a taggable ECS resource"):
        ecs.list_tags_for_resource(resourceArn="arn:aws:s3:::bucket")


def test_at_most_fifty_tags_on_a_resource(ecs: Any, arns: dict[str, str]) -> None:
    arn = arns["cluster"]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": f"k{i}", "value": "v"} for i in range(30)])
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="at most 50 tags"):
        ecs.tag_resource(resourceArn=arn, tags=[{"key": f"n{i}", "value": "v"} for i in range(21)])
    assert len(ecs.list_tags_for_resource(resourceArn=arn)["tags"]) == 30


@pytest.mark.parametrize(
    ("tag", "fragment"),
    [
        ({"key": "k" * 129, "value": "x"}, "128"),
        ({"key": "k", "value": "v" * 257}, "256"),
        ({"key": "bad#key", "value": "x"}, "pattern"),
    ],
)
def test_tag_rules(ecs: Any, arns: dict[str, str], tag: dict[str, str], fragment: str) -> None:
    with pytest.raises(ecs.exceptions.InvalidParameterException) as info:
        ecs.tag_resource(resourceArn=arns["cluster"], tags=[tag])
    assert fragment in str(info.value)


@pytest.mark.parametrize("operation", ["run_task", "start_task"])
def test_a_launch_tag_without_a_key_is_refused_not_a_fake_bug(ecs: Any, ecs_fake: EcsFake, operation: str) -> None:
    # The model leaves Tag.key optional, so the schema lets {} through; the fake must refuse it as it does
    # for TagResource, not crash (found by the long fuzz run).
    ecs.create_cluster(clusterName="c")
    ecs.register_task_definition(family="f", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="every tag must have a key"):
        if operation == "run_task":
            ecs_fake.add_container_instance("c")
            ecs.run_task(cluster="c", taskDefinition="f", tags=[{}])
        else:
            instance = ecs_fake.add_container_instance("c")
            ecs.start_task(cluster="c", taskDefinition="f", containerInstances=[instance], tags=[{"value": "v"}])
