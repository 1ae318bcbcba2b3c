"""DescribeDaemonDeployments, ListDaemonDeployments, DescribeDaemonRevisions: a daemon's deployments and
revisions, their statuses on the fake clock, the circuit breaker and the waiters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError, WaiterError
from daemon_helpers import CP_ARN, cluster_with_provider, create, daemon_tasks, deployment, register

from pytest_ecsfake import EcsFake

DAEMON_ARN = "arn:aws:ecs:us-east-1:123456789012:daemon/prod/monitor"
MISSING = "arn:aws:ecs:us-east-1:123456789012:daemon-deployment/prod/monitor/AAAAAAAAAAAAAAAA"


def update(ecs: Any, definition: str, **extra: Any) -> dict[str, Any]:
    answer: dict[str, Any] = ecs.update_daemon(daemonArn=DAEMON_ARN, daemonTaskDefinitionArn=definition,
                                               capacityProviderArns=[CP_ARN.format("agents")], **extra)
    return answer


def test_a_deployment_walks_pending_in_progress_successful_with_its_counts(ecs: Any, ecs_fake: EcsFake) -> None:
    cluster_with_provider(ecs, ecs_fake, instances=2)
    created = create(ecs, register(ecs))
    start = ecs_fake.now
    pending = deployment(ecs, created["deploymentArn"])
    assert pending["status"] == "PENDING" and pending["createdAt"] == start and "startedAt" not in pending
    assert pending["clusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
    assert pending["sourceDaemonRevisions"] == []
    assert pending["deploymentConfiguration"] == {"drainPercent": 25.0, "bakeTimeInMinutes": 0,
                                                  "alarms": {"alarmNames": [], "enable": False}}
    assert pending["alarms"] == {"status": "DISABLED", "alarmNames": [], "triggeredAlarmNames": []}
    assert pending["circuitBreaker"] == {"failureCount": 0, "threshold": 10, "status": "MONITORING"}
    ecs_fake.advance(5)
    started = deployment(ecs, created["deploymentArn"])
    assert started["status"] == "IN_PROGRESS" and started["startedAt"] == start + timedelta(seconds=5)
    ecs.get_waiter("daemon_deployment_successful").wait(daemonDeploymentArns=[created["deploymentArn"]])
    done = deployment(ecs, created["deploymentArn"])
    assert done["status"] == "SUCCESSFUL" and done["statusReason"] == "Deployment completed successfully."
    assert done["finishedAt"] > done["startedAt"] and done["circuitBreaker"]["status"] == "MONITORING_COMPLETE"
    target = done["targetDaemonRevision"]
    assert target["capacityProviders"] == [{"arn": CP_ARN.format("agents"), "runningInstanceCount": 2,
                                            "withoutDaemonInstanceCount": 0, "drainingInstanceCount": 0}]
    assert (target["totalRunningInstanceCount"], target["totalDrainingInstanceCount"]) == (2, 0)
    with pytest.raises(WaiterError):  # a MISSING deployment is the waiter's failure state
        ecs.get_waiter("daemon_deployment_stopped").wait(daemonDeploymentArns=[MISSING])


def test_describe_answers_missing_arns_as_failures_and_limits_the_list(ecs: Any, ecs_fake: EcsFake) -> None:
    cluster_with_provider(ecs, ecs_fake, instances=0)
    created = create(ecs, register(ecs))
    answer = ecs.describe_daemon_deployments(daemonDeploymentArns=[created["deploymentArn"], MISSING])
    assert [d["daemonDeploymentArn"] for d in answer["daemonDeployments"]] == [created["deploymentArn"]]
    assert answer["failures"] == [{"arn": MISSING, "reason": "MISSING"}]
    revisions = ecs.describe_daemon_revisions(daemonRevisionArns=[MISSING.replace("deployment", "revision")])
    assert revisions["daemonRevisions"] == [] and revisions["failures"][0]["reason"] == "MISSING"
    for operation, member in ((ecs.describe_daemon_deployments, "daemonDeploymentArns"),
                              (ecs.describe_daemon_revisions, "daemonRevisionArns")):
        with pytest.raises(ClientError) as raised:
            operation(**{member: [MISSING] * 21})
        assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(WaiterError):
        ecs.get_waiter("daemon_deployment_successful").wait(daemonDeploymentArns=[MISSING])


def test_revisions_snapshot_each_create_and_update(ecs: Any, ecs_fake: EcsFake) -> None:
    cluster_with_provider(ecs, ecs_fake, instances=1)
    first = register(ecs)
    created = create(ecs, first, enableExecuteCommand=True)
    ecs_fake.advance(60)
    second = register(ecs, image="public.ecr.aws/cloudwatch-agent/cloudwatch-agent:2")
    updated = update(ecs, second, propagateTags="DAEMON", critical=False)
    old = deployment(ecs, created["deploymentArn"])["targetDaemonRevision"]["arn"]
    rolling = deployment(ecs, updated["deploymentArn"])
    new = rolling["targetDaemonRevision"]["arn"]
    assert [r["arn"] for r in rolling["sourceDaemonRevisions"]] == [old]
    assert new.startswith("arn:aws:ecs:us-east-1:123456789012:daemon-revision/prod/monitor/") and new != old
    assert len(new.rsplit("/", 1)[-1]) == 19 and new.rsplit("/", 1)[-1].isdigit()
    answer = ecs.describe_daemon_revisions(daemonRevisionArns=[old, new])
    assert answer["failures"] == []
    before, after = answer["daemonRevisions"]
    assert before["daemonTaskDefinitionArn"] == first and after["daemonTaskDefinitionArn"] == second
    assert before["daemonArn"] == DAEMON_ARN and before["clusterArn"].endswith(":cluster/prod")
    assert (before["enableExecuteCommand"], before["propagateTags"], before["critical"]) == (True, "NONE", True)
    assert (after["enableExecuteCommand"], after["propagateTags"], after["critical"]) == (False, "DAEMON", False)
    [image] = after["containerImages"]
    assert image["containerName"] == "agent" and image["image"].endswith("cloudwatch-agent:2")
    assert image["imageDigest"].startswith("sha256:") and len(image["imageDigest"]) == 71
    assert before["createdAt"] < after["createdAt"]


def test_list_filters_by_status_and_creation_time_with_pages(ecs: Any, ecs_fake: EcsFake) -> None:
    cluster_with_provider(ecs, ecs_fake, instances=1)
    definition = register(ecs)
    arns = [create(ecs, definition)["deploymentArn"]]
    for _ in range(2):
        ecs_fake.advance(60)
        arns.append(update(ecs, definition)["deploymentArn"])
    middle = ecs_fake.now - timedelta(seconds=60)

    def listed(**query: Any) -> list[str]:
        return [d["daemonDeploymentArn"] for d in
                ecs.list_daemon_deployments(daemonArn=DAEMON_ARN, **query)["daemonDeployments"]]

    assert listed() == arns[::-1]  # newest first
    assert listed(status=["SUCCESSFUL"]) == arns[1::-1]
    assert listed(status=["PENDING", "IN_PROGRESS"]) == [arns[2]]
    assert listed(createdAt={"after": middle}) == [arns[2], arns[1]]
    assert listed(createdAt={"before": middle}) == [arns[1], arns[0]]
    page = ecs.list_daemon_deployments(daemonArn=DAEMON_ARN, maxResults=2)
    assert len(page["daemonDeployments"]) == 2 and page["nextToken"]
    rest = ecs.list_daemon_deployments(daemonArn=DAEMON_ARN, maxResults=2, nextToken=page["nextToken"])
    assert [d["daemonDeploymentArn"] for d in rest["daemonDeployments"]] == [arns[0]] and "nextToken" not in rest
    summary = rest["daemonDeployments"][0]
    assert summary["daemonArn"] == DAEMON_ARN and summary["status"] == "SUCCESSFUL"
    assert summary["targetDaemonRevisionArn"].startswith("arn:aws:ecs:us-east-1:123456789012:daemon-revision/")
    with pytest.raises(ClientError) as raised:
        ecs.list_daemon_deployments(daemonArn=DAEMON_ARN.replace("monitor", "nobody"))
    assert raised.value.response["Error"]["Code"] == "ClientException"


def test_the_circuit_breaker_rolls_a_failing_update_back(ecs: Any, ecs_fake: EcsFake) -> None:
    cluster_with_provider(ecs, ecs_fake, instances=2)
    good = register(ecs)
    created = create(ecs, good)
    ecs.get_waiter("daemon_deployment_successful").wait(daemonDeploymentArns=[created["deploymentArn"]])
    ecs_fake.behavior("amazon/cloudwatch-agent:broken", runs_for=1, exit_code=1)
    bad = register(ecs, image="amazon/cloudwatch-agent:broken")
    updated = update(ecs, bad, deploymentConfiguration={"drainPercent": 100.0})
    with pytest.raises(WaiterError, match="ROLLBACK|failure"):
        ecs.get_waiter("daemon_deployment_successful").wait(daemonDeploymentArns=[updated["deploymentArn"]],
                                                            WaiterConfig={"Delay": 15, "MaxAttempts": 40})
    ecs_fake.advance(120)
    rolled = deployment(ecs, updated["deploymentArn"])
    assert rolled["status"] == "ROLLBACK_SUCCESSFUL" and rolled["circuitBreaker"]["failureCount"] >= 10
    assert rolled["circuitBreaker"]["status"] == "TRIGGERED"
    source = deployment(ecs, created["deploymentArn"])["targetDaemonRevision"]["arn"]
    assert rolled["rollback"]["rollbackTargetDaemonRevisionArn"] == source
    assert rolled["rollback"]["rollbackCapacityProviders"] == [CP_ARN.format("agents")]
    tasks = daemon_tasks(ecs)
    assert len(tasks) == 2 and {t["taskDefinitionArn"] for t in tasks} == {good}
    assert all(t["lastStatus"] == "RUNNING" for t in tasks)
