"""UpdateCluster, UpdateClusterSettings, PutClusterCapacityProviders."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from ecs_helpers import SUBNETS, fargate_definition

from pytest_ecsfake import EcsFake
from pytest_ecsfake.core.errors import FakeBugError

ASG = ("arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0b1c2d3e-aaaa-bbbb-cccc-1234567890ab:"
       "autoScalingGroupName/{}")
NOT_ASSOCIATED = (
    "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the "
    "cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again."
)


def error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def provider(ecs: Any, name: str, scaling: str = "ENABLED") -> None:
    ecs.create_capacity_provider(name=name, autoScalingGroupProvider={
        "autoScalingGroupArn": ASG.format(name), "managedScaling": {"status": scaling}})


def test_update_cluster_settings_configuration_and_service_connect(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c")
    answer = ecs.update_cluster(
        cluster="c",
        settings=[{"name": "containerInsights", "value": "enhanced"}],
        configuration={"executeCommandConfiguration": {"kmsKeyId": "k1", "logging": "OVERRIDE",
                                                       "logConfiguration": {"cloudWatchLogGroupName": "/exec"}}},
        serviceConnectDefaults={"namespace": "internal"},
    )["cluster"]
    assert answer["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    assert answer["configuration"]["executeCommandConfiguration"]["logging"] == "OVERRIDE"
    namespace = answer["serviceConnectDefaults"]["namespace"]
    assert namespace.startswith("arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-")
    # Each part of the configuration given replaces that part; the others stay.
    ecs.update_cluster(cluster="c", configuration={"managedStorageConfiguration": {"kmsKeyId": "k2"}})
    described = ecs.describe_clusters(clusters=["c"], include=["CONFIGURATIONS", "SETTINGS"])["clusters"][0]
    assert described["configuration"] == {
        "executeCommandConfiguration": {"kmsKeyId": "k1", "logging": "OVERRIDE",
                                        "logConfiguration": {"cloudWatchLogGroupName": "/exec"}},
        "managedStorageConfiguration": {"kmsKeyId": "k2"}}
    assert described["serviceConnectDefaults"] == {"namespace": namespace}
    assert described["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    # An empty namespace removes the Service Connect defaults [M:ClusterServiceConnectDefaultsRequest.namespace].
    cleared = ecs.update_cluster(cluster="c", serviceConnectDefaults={"namespace": ""})["cluster"]
    assert "serviceConnectDefaults" not in cleared


def test_update_cluster_refusals(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="c")
    # A rule only the model states: answered, recorded on the call (strict mode would fail the test).
    ecs.update_cluster(cluster="c", configuration={"executeCommandConfiguration": {"logging": "OVERRIDE"}})
    assert ecs_fake.calls[-1].violations == ("executeCommandConfiguration.logConfiguration is required when "
                                             "logging is OVERRIDE (documented: "
                                             "[M:ExecuteCommandConfiguration.logConfiguration])",)
    with pytest.raises(ClientError) as missing:
        ecs.update_cluster(cluster="nope", settings=[])
    assert error(missing) == ("ClusterNotFoundException", "Cluster not found.")


def test_update_cluster_settings(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c")
    answer = ecs.update_cluster_settings(cluster="c", settings=[{"name": "containerInsights", "value": "enabled"}])
    assert answer["cluster"]["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    with pytest.raises(ClientError) as missing:
        ecs.update_cluster_settings(cluster="nope", settings=[{"name": "containerInsights", "value": "enabled"}])
    assert error(missing)[0] == "ClusterNotFoundException"


def test_put_fargate_providers_and_the_default_strategy_serves_run_task(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs)
    answer = ecs.put_cluster_capacity_providers(
        cluster="c", capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])["cluster"]
    assert answer["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert answer["defaultCapacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    task = ecs.run_task(cluster="c", taskDefinition="job", networkConfiguration=SUBNETS)["tasks"][0]
    assert (task["capacityProviderName"], task["launchType"]) == ("FARGATE_SPOT", "FARGATE")
    with pytest.raises(ClientError) as outside:
        ecs.put_cluster_capacity_providers(cluster="c", capacityProviders=["FARGATE"],
                                           defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT"}])
    assert error(outside) == ("InvalidParameterException", NOT_ASSOCIATED)
    with pytest.raises(ClientError) as unknown:
        ecs.put_cluster_capacity_providers(cluster="c", capacityProviders=["nope"], defaultCapacityProviderStrategy=[])
    assert error(unknown) == ("InvalidParameterException", "The specified capacity provider 'nope' is not in an "
                              "ACTIVE state. Specify a valid capacity provider and try again.")


def test_a_provider_in_use_cannot_be_removed(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs)
    ecs.put_cluster_capacity_providers(cluster="c", capacityProviders=["FARGATE"], defaultCapacityProviderStrategy=[])
    task = ecs.run_task(cluster="c", taskDefinition="job", networkConfiguration=SUBNETS,
                        capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}])["tasks"][0]
    with pytest.raises(ClientError) as raised:
        ecs.put_cluster_capacity_providers(cluster="c", capacityProviders=[], defaultCapacityProviderStrategy=[])
    assert error(raised) == ("ResourceInUseException", "The specified capacity provider is in use and cannot be "
                             "removed.")
    ecs.stop_task(cluster="c", task=task["taskArn"])
    ecs_fake.advance(60)
    cleared = ecs.put_cluster_capacity_providers(cluster="c", capacityProviders=[], defaultCapacityProviderStrategy=[])
    assert cleared["cluster"]["capacityProviders"] == []


def attached(cluster: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    """(type, provider, status) of each attachment."""
    found = []
    for item in cluster["attachments"]:
        owner = next((d["value"] for d in item["details"] if d["name"] == "capacityProviderName"), None)
        found.append((item["type"], owner, item["status"]))
    return found


def test_provider_attachments_follow_managed_scaling_and_draining_on_the_clock(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="c")
    provider(ecs, "cp")  # managed scaling ENABLED, managed draining ENABLED (the default)
    ecs.create_capacity_provider(name="manual", autoScalingGroupProvider={
        "autoScalingGroupArn": ASG.format("manual"), "managedDraining": "DISABLED"})
    during = ecs.put_cluster_capacity_providers(
        cluster="c", capacityProviders=["cp", "manual"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "cp", "weight": 1}])["cluster"]
    assert during["attachmentsStatus"] == "UPDATE_IN_PROGRESS"
    assert attached(during) == [("as_policy", "cp", "CREATED"), ("managed_draining", "cp", "CREATED")]
    details = {d["name"]: d["value"] for a in during["attachments"] for d in a["details"]}
    assert details["scalingPolicyName"].startswith("ECSManagedAutoScalingPolicy-")
    assert details["autoScalingLifecycleHookName"] == "ecs-managed-draining-termination-hook"
    ecs_fake.advance(10)
    after = ecs.describe_clusters(clusters=["c"], include=["ATTACHMENTS"])["clusters"][0]
    assert after["attachmentsStatus"] == "UPDATE_COMPLETE"
    assert "attachments" not in ecs.describe_clusters(clusters=["c"])["clusters"][0]
    # Managed scaling turned on for an associated provider: it gets its policy too.
    ecs.update_capacity_provider(name="manual", autoScalingGroupProvider={"managedScaling": {"status": "ENABLED"}})
    ecs_fake.advance(10)
    described = ecs.describe_clusters(clusters=["c"], include=["ATTACHMENTS"])["clusters"][0]
    assert ("as_policy", "manual", "CREATED") in attached(described)
    # Removed: its attachments are DELETING, and gone when the update completes.
    removing = ecs.put_cluster_capacity_providers(cluster="c", capacityProviders=["manual"],
                                                  defaultCapacityProviderStrategy=[])["cluster"]
    assert sorted(attached(removing)) == [("as_policy", "cp", "DELETING"), ("as_policy", "manual", "CREATED"),
                                          ("managed_draining", "cp", "DELETING")]
    ecs_fake.advance(10)
    left = ecs.describe_clusters(clusters=["c"], include=["ATTACHMENTS"])["clusters"][0]
    assert attached(left) == [("as_policy", "manual", "CREATED")]


def test_service_connect_defaults_have_an_sc_attachment(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c")
    first = ecs.update_cluster(cluster="c", serviceConnectDefaults={"namespace": "one"})["cluster"]
    assert attached(first) == [("sc", None, "ATTACHED")]
    second = ecs.update_cluster(cluster="c", serviceConnectDefaults={"namespace": "two"})["cluster"]
    assert attached(second) == [("sc", None, "DELETED"), ("sc", None, "ATTACHED")]
    assert second["serviceConnectDefaults"] != first["serviceConnectDefaults"]


def test_a_provider_belongs_to_one_cluster_until_it_is_removed_or_the_cluster_deleted(ecs: Any) -> None:
    ecs.create_cluster(clusterName="a")
    ecs.create_cluster(clusterName="b")
    provider(ecs, "cp")
    ecs.put_cluster_capacity_providers(cluster="a", capacityProviders=["cp"], defaultCapacityProviderStrategy=[])
    with pytest.raises(ClientError) as raised:
        ecs.put_cluster_capacity_providers(cluster="b", capacityProviders=["cp"], defaultCapacityProviderStrategy=[])
    assert error(raised)[0] == "InvalidParameterException"
    ecs.delete_cluster(cluster="a")
    answer = ecs.put_cluster_capacity_providers(cluster="b", capacityProviders=["cp"],
                                                defaultCapacityProviderStrategy=[])
    assert answer["cluster"]["capacityProviders"] == ["cp"]
    # CreateCluster takes Auto Scaling group providers too, under the same rule.
    provider(ecs, "cp2")
    created = ecs.create_cluster(clusterName="d", capacityProviders=["cp2"])["cluster"]
    assert created["capacityProviders"] == ["cp2"]
    with pytest.raises(ClientError):
        ecs.create_cluster(clusterName="e", capacityProviders=["cp"])


def test_a_strategy_does_not_mix_fargate_and_auto_scaling_group_providers(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c")
    provider(ecs, "cp")
    with pytest.raises(ClientError) as raised:
        ecs.put_cluster_capacity_providers(
            cluster="c", capacityProviders=["cp", "FARGATE"],
            defaultCapacityProviderStrategy=[{"capacityProvider": "cp", "weight": 1},
                                             {"capacityProvider": "FARGATE", "weight": 1}])
    assert error(raised)[0] == "InvalidParameterException"
    assert ecs.describe_clusters(clusters=["c"])["clusters"][0]["capacityProviders"] == []


def test_a_documented_rule_fails_the_test_in_strict_mode() -> None:
    import boto3

    fake = EcsFake(strict=True)
    with fake:
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="c")
        ecs.update_cluster(cluster="c", configuration={"executeCommandConfiguration": {"logging": "OVERRIDE"}})
        with pytest.raises(FakeBugError, match="logConfiguration is required when logging is OVERRIDE"):
            fake.stop()
