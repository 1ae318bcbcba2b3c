"""Shared set-up for the managed daemon tests: a cluster with an Auto Scaling group provider and instances."""

from __future__ import annotations

from typing import Any

from pytest_ecsfake import EcsFake

ASG = ("arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0b1c2d3e-aaaa-bbbb-cccc-1234567890ab:"
       "autoScalingGroupName/{}")
CP_ARN = "arn:aws:ecs:us-east-1:123456789012:capacity-provider/{}"


def cluster_with_provider(ecs: Any, fake: EcsFake, instances: int = 3, cluster: str = "prod",
                          provider: str = "agents") -> list[str]:
    """Cluster ``cluster`` with provider ``provider`` associated and ``instances`` container instances."""
    ecs.create_cluster(clusterName=cluster)
    ecs.create_capacity_provider(name=provider, autoScalingGroupProvider={"autoScalingGroupArn": ASG.format(provider)})
    ecs.put_cluster_capacity_providers(cluster=cluster, capacityProviders=[provider],
                                       defaultCapacityProviderStrategy=[])
    return [fake.add_container_instance(cluster, cpu=1024, memory=2048) for _ in range(instances)]


def register(ecs: Any, family: str = "agent", image: str = "amazon/cloudwatch-agent:1", **extra: Any) -> str:
    body: dict[str, Any] = {"family": family,
                            "containerDefinitions": [{"name": "agent", "image": image, "memory": 128}]}
    body.update(extra)
    arn: str = ecs.register_daemon_task_definition(**body)["daemonTaskDefinitionArn"]
    return arn


def create(ecs: Any, definition: str, name: str = "monitor", cluster: str = "prod", provider: str = "agents",
           **extra: Any) -> dict[str, Any]:
    answer: dict[str, Any] = ecs.create_daemon(daemonName=name, clusterArn=cluster, daemonTaskDefinitionArn=definition,
                                               capacityProviderArns=[CP_ARN.format(provider)], **extra)
    return answer


def deployment(ecs: Any, arn: str) -> dict[str, Any]:
    found: dict[str, Any] = ecs.describe_daemon_deployments(daemonDeploymentArns=[arn])["daemonDeployments"][0]
    return found


def daemon_tasks(ecs: Any, name: str = "monitor", cluster: str = "prod") -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=cluster, daemonName=name)["taskArns"]
    if not arns:
        return []
    tasks: list[dict[str, Any]] = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]
    return tasks
