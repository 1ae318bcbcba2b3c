"""CreateCluster, DescribeClusters, ListClusters, DeleteCluster."""

from __future__ import annotations

from typing import Any

import pytest

ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/{}"


def test_create_cluster_answers_the_whole_cluster(ecs: Any) -> None:
    cluster = ecs.create_cluster(clusterName="jobs", tags=[{"key": "team", "value": "data"}])["cluster"]
    assert cluster == {
        "clusterArn": ARN.format("jobs"),
        "clusterName": "jobs",
        "status": "ACTIVE",
        "registeredContainerInstancesCount": 0,
        "runningTasksCount": 0,
        "pendingTasksCount": 0,
        "activeServicesCount": 0,
        "statistics": [],
        "tags": [{"key": "team", "value": "data"}],
        "settings": [{"name": "containerInsights", "value": "disabled"}],
        "capacityProviders": [],
        "defaultCapacityProviderStrategy": [],
    }


def test_create_without_a_name_makes_default_and_is_idempotent(ecs: Any) -> None:
    first = ecs.create_cluster()["cluster"]
    again = ecs.create_cluster(clusterName="default")["cluster"]
    assert first["clusterArn"] == again["clusterArn"] == ARN.format("default")
    assert ecs.list_clusters()["clusterArns"] == [ARN.format("default")]


def test_capacity_providers_and_strategy(ecs: Any) -> None:
    cluster = ecs.create_cluster(
        clusterName="mixed",
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}],
    )["cluster"]
    assert cluster["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert cluster["defaultCapacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}
    ]
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="capacity provider 'mine'"):
        ecs.create_cluster(clusterName="bad", capacityProviders=["mine"])


def test_describe_by_name_and_arn_with_missing_failures(ecs: Any) -> None:
    ecs.create_cluster(clusterName="a")
    answer = ecs.describe_clusters(clusters=["a", ARN.format("a"), "ghost", ARN.format("ghost2")])
    assert [c["clusterName"] for c in answer["clusters"]] == ["a", "a"]
    assert answer["failures"] == [
        {"arn": ARN.format("ghost"), "reason": "MISSING"},
        {"arn": ARN.format("ghost2"), "reason": "MISSING"},
    ]


def test_describe_without_clusters_means_default(ecs: Any) -> None:
    assert ecs.describe_clusters()["failures"] == [{"arn": ARN.format("default"), "reason": "MISSING"}]
    ecs.create_cluster()
    assert [c["clusterName"] for c in ecs.describe_clusters()["clusters"]] == ["default"]


def test_describe_include(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c", tags=[{"key": "k", "value": "v"}],
                       settings=[{"name": "containerInsights", "value": "enabled"}])
    plain = ecs.describe_clusters(clusters=["c"])["clusters"][0]
    assert plain["tags"] == [] and "settings" not in plain
    full = ecs.describe_clusters(clusters=["c"], include=["TAGS", "SETTINGS", "STATISTICS"])["clusters"][0]
    assert full["tags"] == [{"key": "k", "value": "v"}]
    assert full["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert {s["name"] for s in full["statistics"]} >= {"runningFargateTasksCount", "runningEC2TasksCount"}


def test_list_clusters_paginates_with_opaque_tokens(ecs: Any) -> None:
    for i in range(7):
        ecs.create_cluster(clusterName=f"c{i}")
    first = ecs.list_clusters(maxResults=3)
    assert first["clusterArns"] == [ARN.format(f"c{i}") for i in range(3)]
    second = ecs.list_clusters(maxResults=3, nextToken=first["nextToken"])
    assert second["clusterArns"] == [ARN.format(f"c{i}") for i in range(3, 6)]
    last = ecs.list_clusters(maxResults=3, nextToken=second["nextToken"])
    assert last["clusterArns"] == [ARN.format("c6")] and "nextToken" not in last
    paged = [a for p in ecs.get_paginator("list_clusters").paginate(PaginationConfig={"PageSize": 2})
             for a in p["clusterArns"]]
    assert paged == [ARN.format(f"c{i}") for i in range(7)]


@pytest.mark.parametrize("token", ["garbage", "eyJhIjoxfQ.000000000000", ""])
def test_forged_next_token_is_refused(ecs: Any, token: str) -> None:
    ecs.create_cluster(clusterName="c")
    if token == "":
        # botocore drops an empty token: the listing starts over, as with AWS.
        assert ecs.list_clusters(nextToken=token)["clusterArns"] == [ARN.format("c")]
        return
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="nextToken"):
        ecs.list_clusters(nextToken=token)


def test_token_of_another_operation_is_refused(ecs: Any) -> None:
    for i in range(3):
        ecs.create_cluster(clusterName=f"c{i}")
    token = ecs.list_clusters(maxResults=1)["nextToken"]
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="nextToken"):
        ecs.list_task_definitions(nextToken=token)


def test_delete_cluster(ecs: Any) -> None:
    ecs.create_cluster(clusterName="gone", tags=[{"key": "k", "value": "v"}])
    deleted = ecs.delete_cluster(cluster="gone")["cluster"]
    assert deleted["status"] == "INACTIVE"
    # "Clusters with an INACTIVE status may remain discoverable in your account for a period of time."
    assert ecs.list_clusters()["clusterArns"] == [deleted["clusterArn"]]
    assert ecs.describe_clusters(clusters=["gone"])["clusters"][0]["status"] == "INACTIVE"
    with pytest.raises(ecs.exceptions.ClusterNotFoundException, match="Cluster not found."):
        ecs.delete_cluster(cluster="gone")
    recreated = ecs.create_cluster(clusterName="gone")["cluster"]
    assert recreated["status"] == "ACTIVE" and recreated["tags"] == []


def test_an_inactive_cluster_is_gone_after_an_hour(ecs: Any, ecs_fake: Any) -> None:
    arn = ecs.create_cluster(clusterName="old")["cluster"]["clusterArn"]
    ecs.create_cluster(clusterName="kept")
    ecs.delete_cluster(cluster="old")
    ecs_fake.advance(3599)
    assert ecs.describe_clusters(clusters=["old"])["clusters"][0]["status"] == "INACTIVE"
    ecs_fake.advance(1)  # the cluster_inactive_visible timing
    answer = ecs.describe_clusters(clusters=["old"])
    assert answer["clusters"] == [] and answer["failures"] == [{"arn": arn, "reason": "MISSING"}]
    assert ecs.list_clusters()["clusterArns"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/kept"]


def test_a_cluster_recreated_under_the_name_is_not_forgotten(ecs: Any, ecs_fake: Any) -> None:
    ecs.create_cluster(clusterName="again")
    ecs.delete_cluster(cluster="again")
    ecs.create_cluster(clusterName="again")
    ecs_fake.advance(7200)
    assert ecs.describe_clusters(clusters=["again"])["clusters"][0]["status"] == "ACTIVE"


def test_cluster_arn_of_another_region_is_not_found(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c")
    with pytest.raises(ecs.exceptions.ClusterNotFoundException):
        ecs.delete_cluster(cluster="arn:aws:ecs:eu-west-1:123456789012:cluster/c")
