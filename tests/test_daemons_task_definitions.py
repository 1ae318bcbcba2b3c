"""RegisterDaemonTaskDefinition, DescribeDaemonTaskDefinition, DeleteDaemonTaskDefinition,
ListDaemonTaskDefinitions: daemon task definitions, their revisions and statuses."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from daemon_helpers import cluster_with_provider, create, register

from pytest_ecsfake import EcsFake

PREFIX = "arn:aws:ecs:us-east-1:123456789012:daemon-task-definition/"


def test_register_numbers_revisions_and_describe_answers_what_was_registered(ecs: Any) -> None:
    first = ecs.register_daemon_task_definition(
        family="agent", cpu="256", memory="512", pidMode="shared", executionRoleArn="arn:aws:iam::123456789012:role/x",
        containerDefinitions=[{"name": "agent", "image": "amazon/cloudwatch-agent:1", "essential": True}],
        volumes=[{"name": "proc", "host": {"sourcePath": "/proc"}}], tags=[{"key": "team", "value": "obs"}],
    )["daemonTaskDefinitionArn"]
    second = register(ecs, image="amazon/cloudwatch-agent:2")
    assert (first, second) == (PREFIX + "agent:1", PREFIX + "agent:2")
    latest = ecs.describe_daemon_task_definition(daemonTaskDefinition="agent")["daemonTaskDefinition"]
    assert latest["daemonTaskDefinitionArn"] == second and latest["revision"] == 2
    body = ecs.describe_daemon_task_definition(daemonTaskDefinition=first)["daemonTaskDefinition"]
    assert body["family"] == "agent" and body["status"] == "ACTIVE"
    assert (body["cpu"], body["memory"], body["pidMode"]) == ("256", "512", "shared")
    assert body["volumes"] == [{"name": "proc", "host": {"sourcePath": "/proc"}}]
    assert body["registeredBy"] == "arn:aws:iam::123456789012:root" and "deleteRequestedAt" not in body
    assert ecs.list_tags_for_resource(resourceArn=first)["tags"] == [{"key": "team", "value": "obs"}]
    assert ecs.describe_daemon_task_definition(daemonTaskDefinition="agent:1")["daemonTaskDefinition"] == body


def test_unknown_definitions_and_bad_families_are_client_errors(ecs: Any) -> None:
    register(ecs)
    for ref in ("nothing", "agent:7", PREFIX + "agent:9", "agent:x"):
        with pytest.raises(ClientError) as raised:
            ecs.describe_daemon_task_definition(daemonTaskDefinition=ref)
        assert raised.value.response["Error"]["Code"] == "ClientException"
    with pytest.raises(ClientError) as raised:
        ecs.register_daemon_task_definition(family="bad family", containerDefinitions=[{"image": "x"}])
    assert (raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]) == (
        "ClientException", "Family contains invalid characters.")
    with pytest.raises(ClientError) as raised:
        ecs.delete_daemon_task_definition(daemonTaskDefinition="agent:5")
    assert raised.value.response["Error"]["Code"] == "ClientException"


def test_delete_goes_through_delete_in_progress_to_deleted_and_stays_describable(ecs: Any,
                                                                                 ecs_fake: EcsFake) -> None:
    arn = register(ecs)
    register(ecs)
    assert ecs.delete_daemon_task_definition(daemonTaskDefinition="agent:1")["daemonTaskDefinitionArn"] == arn
    body = ecs.describe_daemon_task_definition(daemonTaskDefinition=arn)["daemonTaskDefinition"]
    assert body["status"] == "DELETE_IN_PROGRESS" and body["deleteRequestedAt"] == ecs_fake.now
    with pytest.raises(ClientError) as raised:
        ecs.delete_daemon_task_definition(daemonTaskDefinition=arn)  # must be ACTIVE [M:DeleteDaemonTaskDefinition]
    assert raised.value.response["Error"]["Code"] == "ClientException"
    # The family alone names the latest ACTIVE revision.
    assert ecs.describe_daemon_task_definition(daemonTaskDefinition="agent")["daemonTaskDefinition"]["revision"] == 2
    ecs.get_waiter("daemon_task_definition_deleted").wait(daemonTaskDefinition=arn,
                                                          WaiterConfig={"Delay": 15, "MaxAttempts": 8})
    assert ecs.describe_daemon_task_definition(daemonTaskDefinition=arn)["daemonTaskDefinition"]["status"] == "DELETED"


def test_a_deleted_definition_makes_no_new_daemon_but_its_daemon_keeps_running(ecs: Any, ecs_fake: EcsFake) -> None:
    cluster_with_provider(ecs, ecs_fake, instances=1)
    arn = register(ecs)
    daemon = create(ecs, arn)
    ecs.delete_daemon_task_definition(daemonTaskDefinition=arn)
    with pytest.raises(ClientError) as raised:
        create(ecs, arn, name="other")
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    ecs_fake.advance(600)  # in use: it stays DELETE_IN_PROGRESS while the daemon runs it
    assert ecs.describe_daemon_task_definition(daemonTaskDefinition=arn)["daemonTaskDefinition"]["status"] == \
        "DELETE_IN_PROGRESS"
    assert ecs.describe_daemon(daemonArn=daemon["daemonArn"])["daemon"]["currentRevisions"][0]["totalRunningCount"] == 1
    ecs.delete_daemon(daemonArn=daemon["daemonArn"])
    ecs.get_waiter("daemon_task_definition_deleted").wait(daemonTaskDefinition=arn)


def test_active_waiter_and_list_filters_sort_and_pages(ecs: Any) -> None:
    for family in ("beta", "alpha", "alpha", "alphabet"):
        register(ecs, family=family)
    ecs.get_waiter("daemon_task_definition_active").wait(daemonTaskDefinition="alpha")
    ecs.delete_daemon_task_definition(daemonTaskDefinition="alpha:1")

    def listed(**query: Any) -> list[str]:
        return [d["arn"][len(PREFIX):] for d in ecs.list_daemon_task_definitions(**query)["daemonTaskDefinitions"]]

    assert listed() == ["alpha:2", "alphabet:1", "beta:1"]
    assert listed(status="DELETE_IN_PROGRESS") == ["alpha:1"]
    assert listed(status="ALL") == ["alpha:1", "alpha:2", "alphabet:1", "beta:1"]
    assert listed(status="ALL", sort="DESC") == ["beta:1", "alphabet:1", "alpha:2", "alpha:1"]
    assert listed(familyPrefix="alpha", status="ALL") == ["alpha:1", "alpha:2", "alphabet:1"]
    assert listed(family="alpha", status="ALL") == ["alpha:1", "alpha:2"]
    assert listed(revision="LAST_REGISTERED") == ["alpha:2", "alphabet:1", "beta:1"]
    first = ecs.list_daemon_task_definitions(status="ALL", maxResults=3)
    assert len(first["daemonTaskDefinitions"]) == 3 and first["nextToken"]
    rest = ecs.list_daemon_task_definitions(status="ALL", maxResults=3, nextToken=first["nextToken"])
    assert [d["arn"] for d in rest["daemonTaskDefinitions"]] == [PREFIX + "beta:1"] and "nextToken" not in rest
    summary = ecs.list_daemon_task_definitions(status="DELETE_IN_PROGRESS")["daemonTaskDefinitions"][0]
    assert summary["status"] == "DELETE_IN_PROGRESS" and "deleteRequestedAt" in summary and summary["registeredBy"]
