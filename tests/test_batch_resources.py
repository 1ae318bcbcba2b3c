"""Compute environments and job queues: their statuses on the clock, the ECS cluster, the order of operations."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import (
    CE_CREATE,
    FARGATE_START,
    INSTANCE_ROLE,
    QUEUE_CREATE,
    SCHEDULING,
    SECURITY_GROUPS,
    SUBMITTED,
    SUBNETS,
    definition,
    environment,
    queue,
    status,
    submit,
)


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    return boto3.client("batch", region_name="us-east-1")


def describe_env(batch: Any, name: str = "ce") -> dict[str, Any]:
    found: dict[str, Any] = batch.describe_compute_environments(computeEnvironments=[name])["computeEnvironments"][0]
    return found


def describe_queue(batch: Any, name: str = "q") -> dict[str, Any]:
    found: dict[str, Any] = batch.describe_job_queues(jobQueues=[name])["jobQueues"][0]
    return found


def test_compute_environment_becomes_valid_and_owns_an_ecs_cluster(batch: Any, ecs: Any, ecs_fake: Any) -> None:
    arn = environment(batch, tags={"team": "data"})
    assert arn == "arn:aws:batch:us-east-1:123456789012:compute-environment/ce"
    creating = describe_env(batch)
    assert (creating["status"], creating["state"], creating["type"]) == ("CREATING", "ENABLED", "MANAGED")
    assert "ecsClusterArn" not in creating
    ecs_fake.advance(CE_CREATE - 1)
    assert describe_env(batch)["status"] == "CREATING"
    ecs_fake.advance(1)
    valid = describe_env(batch)
    assert (valid["status"], valid["statusReason"]) == ("VALID", "ComputeEnvironment Healthy")
    assert valid["computeResources"] == {"type": "FARGATE", "maxvCpus": 4, "subnets": SUBNETS,
                                         "securityGroupIds": SECURITY_GROUPS}
    assert valid["tags"] == {"team": "data"}
    assert valid["containerOrchestrationType"] == "ECS"
    assert valid["serviceRole"].endswith(":role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch")
    cluster = ecs.describe_clusters(clusters=[valid["ecsClusterArn"]])["clusters"][0]
    assert cluster["status"] == "ACTIVE"
    assert cluster["clusterName"] == f"ce_Batch_{valid['uuid']}"
    assert cluster["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert valid["ecsClusterArn"] in ecs.list_clusters()["clusterArns"]


def test_describe_by_name_or_arn_unknown_ones_absent_and_paginated(batch: Any, ecs_fake: Any) -> None:
    arns = [environment(batch, f"ce{i}") for i in range(3)]
    found = batch.describe_compute_environments(computeEnvironments=[arns[0], "ce2", "nope"])["computeEnvironments"]
    assert [e["computeEnvironmentName"] for e in found] == ["ce0", "ce2"]
    pages = batch.get_paginator("describe_compute_environments").paginate(PaginationConfig={"PageSize": 2})
    sizes = [len(p["computeEnvironments"]) for p in pages]
    assert sizes == [2, 1]


def test_ec2_environment_gets_a_container_instance_sized_to_its_vcpus(batch: Any, ecs: Any, ecs_fake: Any) -> None:
    environment(batch, kind="EC2", max_vcpus=8)
    ecs_fake.advance(CE_CREATE)
    env = describe_env(batch)
    resources = env["computeResources"]
    assert (resources["allocationStrategy"], resources["minvCpus"], resources["desiredvCpus"]) == ("BEST_FIT", 0, 0)
    cluster = env["ecsClusterArn"]
    arns = ecs.list_container_instances(cluster=cluster)["containerInstanceArns"]
    assert len(arns) == 1
    instance = ecs.describe_container_instances(cluster=cluster, containerInstances=arns)["containerInstances"][0]
    registered = {r["name"]: r.get("integerValue") for r in instance["registeredResources"]}
    assert (registered["CPU"], registered["MEMORY"]) == (8 * 1024, 8 * 8192)
    batch.update_compute_environment(computeEnvironment="ce", computeResources={"maxvCpus": 16})
    instance = ecs.describe_container_instances(cluster=cluster, containerInstances=arns)["containerInstances"][0]
    assert {r["name"]: r.get("integerValue") for r in instance["registeredResources"]}["CPU"] == 16 * 1024


def test_unmanaged_environment_has_no_compute_resources(batch: Any, ecs: Any, ecs_fake: Any) -> None:
    batch.create_compute_environment(computeEnvironmentName="own", type="UNMANAGED", unmanagedvCpus=4)
    ecs_fake.advance(CE_CREATE)
    env = describe_env(batch, "own")
    assert "computeResources" not in env and env["unmanagedvCpus"] == 4
    assert ecs.list_container_instances(cluster=env["ecsClusterArn"])["containerInstanceArns"] == []


FARGATE = {"type": "FARGATE", "maxvCpus": 4, "subnets": SUBNETS, "securityGroupIds": SECURITY_GROUPS}
EC2 = {"type": "EC2", "maxvCpus": 4, "subnets": SUBNETS, "instanceRole": INSTANCE_ROLE}


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        ({"type": "MANAGED"}, "computeResources is required"),
        ({"type": "UNMANAGED", "computeResources": FARGATE}, "can't be specified for an UNMANAGED"),
        ({"type": "MANAGED", "computeResources": FARGATE, "unmanagedvCpus": 2}, "only supported for UNMANAGED"),
        ({"type": "MANAGED", "computeResources": {**FARGATE, "minvCpus": 0}}, "minvCpus isn't applicable to Fargate"),
        ({"type": "MANAGED", "computeResources": {**FARGATE, "securityGroupIds": []}}, "at least one security group"),
        ({"type": "MANAGED", "computeResources": {**FARGATE, "subnets": []}}, "at least one subnet"),
        ({"type": "MANAGED", "computeResources": {k: v for k, v in EC2.items() if k != "instanceRole"}},
         "Error executing request, Exception : Instance role is required."),
        ({"type": "MANAGED", "computeResources": {**EC2, "type": "SPOT"}}, "spotIamFleetRole is required"),
        ({"type": "MANAGED", "computeResources": {**EC2, "minvCpus": 8}}, "minvCpus (8) <= desiredvCpus"),
        ({"type": "MANAGED", "computeResources": FARGATE, "computeEnvironmentName": "bad name"}, "Member must satisfy"),
    ],
    ids=["managed-without-resources", "unmanaged-with-resources", "unmanaged-vcpus", "fargate-minvcpus",
         "fargate-no-sg", "no-subnets", "ec2-no-role", "spot-no-fleet-role", "min-over-max", "name-pattern"],
)
def test_create_compute_environment_refusals(batch: Any, request_body: dict[str, Any], message: str) -> None:
    body = {"computeEnvironmentName": "ce", **request_body}
    with pytest.raises(batch.exceptions.ClientException) as error:
        batch.create_compute_environment(**body)
    assert message in str(error.value)


def test_names_are_unique(batch: Any) -> None:
    environment(batch)
    with pytest.raises(batch.exceptions.ClientException, match="Object already exists"):
        environment(batch)


def test_update_disables_and_goes_updating_then_valid(batch: Any, ecs_fake: Any) -> None:
    environment(batch)
    ecs_fake.advance(CE_CREATE)
    answer = batch.update_compute_environment(computeEnvironment="ce", state="DISABLED",
                                              computeResources={"maxvCpus": 8})
    assert answer["computeEnvironmentName"] == "ce"
    env = describe_env(batch)
    assert (env["status"], env["state"], env["computeResources"]["maxvCpus"]) == ("UPDATING", "DISABLED", 8)
    ecs_fake.advance(10)
    assert describe_env(batch)["status"] == "VALID"
    with pytest.raises(batch.exceptions.ClientException, match="can't change between EC2 and Fargate"):
        batch.update_compute_environment(computeEnvironment="ce", computeResources={"type": "EC2"})
    with pytest.raises(batch.exceptions.ClientException, match="does not exist"):
        batch.update_compute_environment(computeEnvironment="nope", state="ENABLED")


def test_delete_follows_the_documented_order(batch: Any, ecs: Any, ecs_fake: Any) -> None:
    environment(batch)
    ecs_fake.advance(CE_CREATE)
    cluster = describe_env(batch)["ecsClusterArn"]
    queue(batch)
    ecs_fake.advance(QUEUE_CREATE)
    with pytest.raises(batch.exceptions.ClientException, match="is ENABLED: disable it"):
        batch.delete_compute_environment(computeEnvironment="ce")
    batch.update_compute_environment(computeEnvironment="ce", state="DISABLED")
    with pytest.raises(batch.exceptions.ClientException, match="Cannot delete, found existing JobQueue relationship"):
        batch.delete_compute_environment(computeEnvironment="ce")
    with pytest.raises(batch.exceptions.ClientException, match="is ENABLED: disable it with UpdateJobQueue"):
        batch.delete_job_queue(jobQueue="q")
    batch.update_job_queue(jobQueue="q", state="DISABLED")
    assert set(batch.delete_job_queue(jobQueue="q")) == {"ResponseMetadata"}  # {} on the wire
    assert describe_queue(batch)["status"] == "DELETING"
    ecs_fake.advance(10)
    assert batch.describe_job_queues(jobQueues=["q"])["jobQueues"] == []
    batch.delete_compute_environment(computeEnvironment="ce")
    assert describe_env(batch)["status"] == "DELETING"
    ecs_fake.advance(20)
    assert batch.describe_compute_environments()["computeEnvironments"] == []
    assert ecs.describe_clusters(clusters=[cluster])["clusters"][0]["status"] == "INACTIVE"


def test_queue_becomes_valid_and_describes_its_environments(batch: Any, ecs_fake: Any) -> None:
    env_arn = environment(batch)
    ecs_fake.advance(CE_CREATE)
    arn = queue(batch, tags={"k": "v"})
    assert arn == "arn:aws:batch:us-east-1:123456789012:job-queue/q"
    assert describe_queue(batch)["status"] == "CREATING"
    ecs_fake.advance(QUEUE_CREATE)
    assert describe_queue(batch) == {
        "jobQueueName": "q", "jobQueueArn": arn, "state": "ENABLED", "status": "VALID",
        "statusReason": "JobQueue Healthy", "priority": 1,
        "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": env_arn}],
        "jobQueueType": "ECS_FARGATE", "jobStateTimeLimitActions": [], "tags": {"k": "v"},
    }
    batch.update_job_queue(jobQueue=arn, priority=9, state="DISABLED")
    updated = describe_queue(batch)
    assert (updated["status"], updated["priority"], updated["state"]) == ("UPDATING", 9, "DISABLED")
    ecs_fake.advance(5)
    assert describe_queue(batch)["status"] == "VALID"


def test_a_queue_on_a_creating_environment_is_answered_and_runs_jobs_once_the_environment_is_valid(
        batch: Any, ecs_fake: Any) -> None:
    # Code that creates the environment and the queue in a row is common; AWS's refusal of it is not known.
    environment(batch)
    queue(batch)
    assert "compute environment ce is CREATING" in ecs_fake.calls[-1].violations[0]
    ecs_fake.advance(QUEUE_CREATE)
    assert batch.describe_job_queues()["jobQueues"][0]["status"] == "VALID"
    definition(batch)
    job_id = submit(batch)
    ecs_fake.advance(CE_CREATE - QUEUE_CREATE - 1)
    assert status(batch, job_id) == "RUNNABLE"  # the environment is still CREATING
    ecs_fake.advance(1 + SCHEDULING + FARGATE_START)
    assert status(batch, job_id) == "RUNNING"


def test_an_update_of_a_creating_environment_applies_and_it_becomes_valid_on_time(batch: Any, ecs_fake: Any) -> None:
    environment(batch)
    batch.update_compute_environment(computeEnvironment="ce", computeResources={"maxvCpus": 8})
    assert "compute environment ce is CREATING" in ecs_fake.calls[-1].violations[0]
    described = batch.describe_compute_environments()["computeEnvironments"][0]
    assert (described["status"], described["computeResources"]["maxvCpus"]) == ("CREATING", 8)
    ecs_fake.advance(CE_CREATE)
    assert batch.describe_compute_environments()["computeEnvironments"][0]["status"] == "VALID"


def test_queue_refusals(batch: Any, ecs_fake: Any) -> None:
    environment(batch, "creating")
    ecs_fake.advance(CE_CREATE)
    environment(batch, "ec2", kind="EC2")
    environment(batch, "fargate2")
    ecs_fake.advance(CE_CREATE)
    with pytest.raises(batch.exceptions.ClientException, match="does not exist"):
        queue(batch, environments=("nope",))
    with pytest.raises(batch.exceptions.ClientException, match="can't be mixed"):
        queue(batch, environments=("creating", "ec2"))
    with pytest.raises(batch.exceptions.ClientException, match="appears twice"):
        queue(batch, environments=("creating", "creating"))
    with pytest.raises(batch.exceptions.ClientException, match="order 1 is given twice"):
        batch.create_job_queue(jobQueueName="q", priority=1, computeEnvironmentOrder=[
            {"order": 1, "computeEnvironment": "creating"}, {"order": 1, "computeEnvironment": "fargate2"}])
    with pytest.raises(batch.exceptions.ClientException, match="maxItems|at most|3"):
        batch.create_job_queue(jobQueueName="q", priority=1, computeEnvironmentOrder=[
            {"order": i, "computeEnvironment": "creating"} for i in range(4)])
    queue(batch, environments=("creating",))
    with pytest.raises(batch.exceptions.ClientException, match="Object already exists"):
        queue(batch, environments=("creating",))
    batch.update_job_queue(jobQueue="q", priority=2)  # while CREATING: applied at once, the rule recorded
    assert "job queue q is CREATING; update it once it is VALID" in ecs_fake.calls[-1].violations[0]
    described = batch.describe_job_queues(jobQueues=["q"])["jobQueues"][0]
    assert (described["status"], described["priority"]) == ("CREATING", 2)


def test_detaching_an_environment_lets_it_be_deleted_and_running_jobs_make_it_invalid(
    batch: Any, ecs_fake: Any
) -> None:
    environment(batch, "old")
    environment(batch, "new")
    ecs_fake.advance(CE_CREATE)
    queue(batch, environments=("old",))
    ecs_fake.advance(QUEUE_CREATE)
    definition(batch)
    job_id = submit(batch)
    ecs_fake.advance(SUBMITTED + SCHEDULING + FARGATE_START)
    assert status(batch, job_id) == "RUNNING"
    batch.update_job_queue(jobQueue="q", computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "new"}])
    batch.update_compute_environment(computeEnvironment="old", state="DISABLED")
    batch.delete_compute_environment(computeEnvironment="old")  # detached and DISABLED: accepted
    ecs_fake.advance(20)
    # "Compute environments that use Fargate resources must terminate all active jobs on that compute
    # environment before deleting the compute environment. If this isn't done, the compute environment
    # enters an invalid state." [M:DeleteComputeEnvironment]
    invalid = describe_env(batch, "old")
    assert (invalid["status"], status(batch, job_id)) == ("INVALID", "RUNNING")
    batch.terminate_job(jobId=job_id, reason="clean up")
    ecs_fake.advance(20)
    batch.delete_compute_environment(computeEnvironment="old")
    ecs_fake.advance(20)
    names = [e["computeEnvironmentName"] for e in batch.describe_compute_environments()["computeEnvironments"]]
    assert names == ["new"]


def test_deleting_an_ec2_environment_deregisters_its_instance(batch: Any, ecs: Any, ecs_fake: Any) -> None:
    environment(batch, kind="EC2")
    ecs_fake.advance(CE_CREATE)
    cluster = describe_env(batch)["ecsClusterArn"]
    assert len(ecs.list_container_instances(cluster=cluster)["containerInstanceArns"]) == 1
    batch.update_compute_environment(computeEnvironment="ce", state="DISABLED")
    ecs_fake.advance(10)
    batch.delete_compute_environment(computeEnvironment="ce")
    batch.delete_compute_environment(computeEnvironment="ce")  # already DELETING: nothing more to do
    ecs_fake.advance(20)
    cluster_record = ecs.describe_clusters(clusters=[cluster])["clusters"][0]
    assert (cluster_record["status"], cluster_record["registeredContainerInstancesCount"]) == ("INACTIVE", 0)
    assert batch.describe_compute_environments(computeEnvironments=["ce"])["computeEnvironments"] == []
