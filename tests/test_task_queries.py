"""DescribeTasks and ListTasks: scoping, limits, filters, pagination."""

from __future__ import annotations

from typing import Any

import pytest
from ecs_helpers import SUBNETS, fargate_definition, run_fargate

from pytest_ecsfake import EcsFake


@pytest.fixture
def ecs_c(ecs: Any) -> Any:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs)
    return ecs


def test_describe_by_id_and_arn_scoped_to_the_cluster(ecs_c: Any) -> None:
    ecs_c.create_cluster(clusterName="other")
    arn = run_fargate(ecs_c)["taskArn"]
    task_id = arn.rsplit("/", 1)[1]
    assert arn == f"arn:aws:ecs:us-east-1:123456789012:task/c/{task_id}"
    both = ecs_c.describe_tasks(cluster="c", tasks=[arn, task_id])["tasks"]
    assert [t["taskArn"] for t in both] == [arn, arn]
    other = ecs_c.describe_tasks(cluster="other", tasks=[arn, task_id])
    assert other["tasks"] == []
    assert other["failures"] == [
        {"arn": arn, "reason": "MISSING"},
        {"arn": f"arn:aws:ecs:us-east-1:123456789012:task/other/{task_id}", "reason": "MISSING"},
    ]


def test_describe_without_cluster_means_default(ecs_c: Any) -> None:
    arn = run_fargate(ecs_c)["taskArn"]
    with pytest.raises(ecs_c.exceptions.ClusterNotFoundException):
        ecs_c.describe_tasks(tasks=[arn])
    ecs_c.create_cluster()
    assert ecs_c.describe_tasks(tasks=[arn])["failures"] == [{"arn": arn, "reason": "MISSING"}]


@pytest.mark.parametrize(
    ("count", "message"), [(0, "Tasks cannot be empty."), (101, "taskIds can have at most 100 items.")]
)
def test_describe_limits(ecs_c: Any, count: int, message: str) -> None:
    with pytest.raises(ecs_c.exceptions.InvalidParameterException) as info:
        ecs_c.describe_tasks(cluster="c", tasks=[f"{i:032x}" for i in range(count)])
    assert message in str(info.value)


def test_describe_a_hundred(ecs_c: Any) -> None:
    arns = [t["taskArn"] for _ in range(10) for t in ecs_c.run_task(
        cluster="c", taskDefinition="job", launchType="FARGATE", count=10,
        networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-1"]}})["tasks"]]
    assert len(ecs_c.describe_tasks(cluster="c", tasks=arns)["tasks"]) == 100


def test_tags_only_with_include(ecs_c: Any) -> None:
    arn = run_fargate(ecs_c, tags=[{"key": "k", "value": "v"}])["taskArn"]
    assert "tags" not in ecs_c.describe_tasks(cluster="c", tasks=[arn])["tasks"][0]
    assert ecs_c.describe_tasks(cluster="c", tasks=[arn], include=["TAGS"])["tasks"][0]["tags"] == [
        {"key": "k", "value": "v"}
    ]


def test_list_defaults_to_desired_running_including_pending(ecs_c: Any, ecs_fake: EcsFake) -> None:
    pending = run_fargate(ecs_c)["taskArn"]
    ecs_fake.advance(30)
    running = run_fargate(ecs_c)["taskArn"]
    stopped = run_fargate(ecs_c)["taskArn"]
    ecs_c.stop_task(cluster="c", task=stopped)
    assert ecs_c.list_tasks(cluster="c")["taskArns"] == [pending, running]
    assert ecs_c.list_tasks(cluster="c", desiredStatus="STOPPED")["taskArns"] == [stopped]
    assert ecs_c.list_tasks(cluster="c", desiredStatus="PENDING")["taskArns"] == []


def test_list_filters(ecs_c: Any) -> None:
    fargate_definition(ecs_c, family="other")
    a = run_fargate(ecs_c, startedBy="deployer")["taskArn"]
    b = run_fargate(ecs_c, family="other")["taskArn"]
    assert ecs_c.list_tasks(cluster="c", family="job")["taskArns"] == [a]
    assert ecs_c.list_tasks(cluster="c", family="other")["taskArns"] == [b]
    assert ecs_c.list_tasks(cluster="c", startedBy="deployer")["taskArns"] == [a]
    assert ecs_c.list_tasks(cluster="c", launchType="FARGATE")["taskArns"] == [a, b]
    assert ecs_c.list_tasks(cluster="c", launchType="EC2")["taskArns"] == []
    with pytest.raises(ecs_c.exceptions.ServiceNotFoundException, match="Service not found."):
        ecs_c.list_tasks(cluster="c", serviceName="web")


def test_started_by_with_a_space_is_kept_and_found(ecs_c: Any) -> None:
    # fabfuel/ecs-deploy sends startedBy="ECS Deploy" on every `ecs run` (FIDELITY.md "Observed since").
    answer = ecs_c.run_task(cluster="c", taskDefinition="job", launchType="FARGATE", startedBy="ECS Deploy",
                            networkConfiguration=SUBNETS)
    arn = answer["tasks"][0]["taskArn"]
    assert answer["tasks"][0]["startedBy"] == "ECS Deploy"
    other = run_fargate(ecs_c, startedBy="ECS-Deploy")["taskArn"]
    assert ecs_c.describe_tasks(cluster="c", tasks=[arn])["tasks"][0]["startedBy"] == "ECS Deploy"
    assert ecs_c.list_tasks(cluster="c", startedBy="ECS Deploy")["taskArns"] == [arn]
    assert ecs_c.list_tasks(cluster="c", startedBy="ECS-Deploy")["taskArns"] == [other]
    assert ecs_c.list_tasks(cluster="c", startedBy="ECS")["taskArns"] == []  # the whole value, not a prefix
    long = "ecs deploy: " + "x" * 116  # 128 characters, any of them
    assert run_fargate(ecs_c, startedBy=long)["startedBy"] == long


def test_started_by_with_desired_status(ecs_c: Any, ecs_fake: EcsFake) -> None:
    # Airflow's EcsRunTaskOperator (reattach) asks for RUNNING tasks it started (FIDELITY.md "Observed since").
    mine = [run_fargate(ecs_c, startedBy="airflow")["taskArn"] for _ in range(3)]
    theirs = run_fargate(ecs_c, startedBy="someone")["taskArn"]
    ecs_fake.advance(30)
    ecs_c.stop_task(cluster="c", task=mine[1])
    ecs_c.stop_task(cluster="c", task=theirs)
    running = ecs_c.list_tasks(cluster="c", startedBy="airflow", desiredStatus="RUNNING")["taskArns"]
    assert running == [mine[0], mine[2]]
    assert ecs_c.list_tasks(cluster="c", startedBy="airflow")["taskArns"] == running  # RUNNING by default
    assert ecs_c.list_tasks(cluster="c", startedBy="airflow", desiredStatus="STOPPED")["taskArns"] == [mine[1]]
    assert ecs_c.list_tasks(cluster="c", startedBy="someone", desiredStatus="RUNNING")["taskArns"] == []
    assert ecs_c.list_tasks(cluster="c", startedBy="someone", desiredStatus="STOPPED")["taskArns"] == [theirs]
    assert ecs_c.list_tasks(cluster="c", startedBy="airflow", desiredStatus="PENDING")["taskArns"] == []
    pages = ecs_c.get_paginator("list_tasks").paginate(cluster="c", startedBy="airflow", desiredStatus="RUNNING",
                                                       PaginationConfig={"PageSize": 1})
    assert [arn for page in pages for arn in page["taskArns"]] == running


def test_filters_combine(ecs: Any, ecs_fake: EcsFake) -> None:
    """Every filter given applies (AND), in each combination the API accepts."""
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs, family="job")
    fargate_definition(ecs, family="other")
    ecs.register_task_definition(family="bridge", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    first, second = ecs_fake.add_container_instance("c"), ecs_fake.add_container_instance("c")
    job = run_fargate(ecs, family="job")["taskArn"]
    other = run_fargate(ecs, family="other")["taskArn"]
    on_first = ecs.start_task(cluster="c", taskDefinition="bridge", containerInstances=[first])["tasks"][0]["taskArn"]
    on_second = ecs.start_task(cluster="c", taskDefinition="bridge",
                               containerInstances=[second])["tasks"][0]["taskArn"]
    stopped = run_fargate(ecs, family="job")["taskArn"]
    ecs.stop_task(cluster="c", task=stopped)

    def listed(**filters: Any) -> list[str]:
        arns: list[str] = ecs.list_tasks(cluster="c", **filters)["taskArns"]
        return arns

    assert listed(family="job", launchType="FARGATE") == [job]
    assert listed(family="job", launchType="EC2") == []
    assert listed(family="job", desiredStatus="STOPPED") == [stopped]
    assert listed(family="job", launchType="FARGATE", desiredStatus="STOPPED") == [stopped]
    assert listed(family="other", desiredStatus="STOPPED") == []
    assert listed(family="bridge", containerInstance=first) == [on_first]
    assert listed(family="job", containerInstance=first) == []
    assert listed(containerInstance=second.rsplit("/", 1)[1], launchType="EC2") == [on_second]
    assert listed(containerInstance=second, launchType="FARGATE") == []
    assert listed(launchType="FARGATE") == [job, other]
    assert listed(launchType="FARGATE", desiredStatus="STOPPED") == [stopped]
    assert listed(daemonName="agent") == []  # no managed daemon "agent" here (tests/test_daemons.py has some)
    assert listed(daemonName="agent", family="job") == []


def test_service_name_combines_with_launch_type_and_desired_status(ecs: Any, ecs_fake: EcsFake) -> None:
    from service_helpers import web_service

    ecs.create_cluster(clusterName="c")
    web_service(ecs, desired=2)
    run_fargate(ecs, family="web", group="service:web-lookalike")
    ecs_fake.advance(30)
    tasks = ecs.list_tasks(cluster="c", serviceName="web")["taskArns"]
    assert len(tasks) == 2
    assert ecs.list_tasks(cluster="c", serviceName="web", launchType="FARGATE")["taskArns"] == tasks
    assert ecs.list_tasks(cluster="c", serviceName="web", launchType="EC2")["taskArns"] == []
    assert ecs.list_tasks(cluster="c", serviceName="web", desiredStatus="STOPPED")["taskArns"] == []
    ecs.update_service(cluster="c", service="web", desiredCount=0)
    ecs_fake.advance(30)
    assert ecs.list_tasks(cluster="c", serviceName="web", desiredStatus="STOPPED",
                          launchType="FARGATE")["taskArns"] == tasks


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"family": "job:1"}, "operation: family must match ^[a-zA-Z0-9\\-_]+$"),
        ({"serviceName": "web", "family": "job"}, "cannot specify serviceName with other arguments"),
        ({"maxResults": 101}, "maxResults"),
        ({"maxResults": 0}, "maxResults"),
        ({"nextToken": "forged"}, "nextToken"),
    ],
)
def test_list_errors(ecs_c: Any, kwargs: dict[str, Any], message: str) -> None:
    import boto3
    from botocore.config import Config

    raw = boto3.client("ecs", region_name="us-east-1", config=Config(parameter_validation=False))
    with pytest.raises(raw.exceptions.InvalidParameterException) as info:
        raw.list_tasks(cluster="c", **kwargs)
    assert message in str(info.value)


def test_pagination_returns_each_task_exactly_once_in_a_stable_order(ecs_c: Any, ecs_fake: EcsFake) -> None:
    arns = []
    for _ in range(25):
        arns += [t["taskArn"] for t in ecs_c.run_task(
            cluster="c", taskDefinition="job", launchType="FARGATE", count=10,
            networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-1"]}})["tasks"]]
    first = ecs_c.list_tasks(cluster="c", maxResults=100)
    assert first["taskArns"] == arns[:100] and "nextToken" in first
    # Tasks stopping between pages neither repeat nor hide the others.
    for arn in arns[100:110]:
        ecs_c.stop_task(cluster="c", task=arn)
    rest = [a for page in ecs_c.get_paginator("list_tasks").paginate(
        cluster="c", PaginationConfig={"StartingToken": first["nextToken"], "PageSize": 30}) for a in page["taskArns"]]
    assert rest == arns[110:]
    everything = [a for page in ecs_c.get_paginator("list_tasks").paginate(cluster="c") for a in page["taskArns"]]
    assert everything == arns[:100] + arns[110:]
    assert len(set(everything)) == len(everything)
