"""Registering container instances: the attributes and capabilities an ECS-optimized instance reports, the
zone and AMI it gets when none is given, and ``add_container_instance`` (the function behind
``fake.add_container_instance``). RegisterContainerInstance (``container_instances.py``) registers through
``register_instance`` too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ..core.context import Context
from .clusters import get_cluster
from .instance_model import AGENT_PORTS, VERSION_INFO, ContainerInstance, announce, instances_changed, instances_of
from .state import Cluster
from .tags import set_tags

# Capabilities a current ECS-optimized Amazon Linux instance advertises, so that task definitions'
# ``requiresAttributes`` (task ENI, task role, awslogs, ECR pulls) are met on fake instances.
CAPABILITIES = (
    "com.amazonaws.ecs.capability.docker-remote-api.1.17",
    "com.amazonaws.ecs.capability.docker-remote-api.1.18",
    "com.amazonaws.ecs.capability.docker-remote-api.1.19",
    "com.amazonaws.ecs.capability.docker-remote-api.1.21",
    "com.amazonaws.ecs.capability.docker-remote-api.1.22",
    "com.amazonaws.ecs.capability.docker-remote-api.1.23",
    "com.amazonaws.ecs.capability.docker-remote-api.1.24",
    "com.amazonaws.ecs.capability.docker-remote-api.1.25",
    "com.amazonaws.ecs.capability.docker-remote-api.1.26",
    "com.amazonaws.ecs.capability.docker-remote-api.1.27",
    "com.amazonaws.ecs.capability.docker-remote-api.1.28",
    "com.amazonaws.ecs.capability.docker-remote-api.1.29",
    "com.amazonaws.ecs.capability.docker-remote-api.1.30",
    "com.amazonaws.ecs.capability.docker-remote-api.1.31",
    "com.amazonaws.ecs.capability.docker-remote-api.1.32",
    "com.amazonaws.ecs.capability.ecr-auth",
    "com.amazonaws.ecs.capability.logging-driver.awslogs",
    "com.amazonaws.ecs.capability.logging-driver.json-file",
    "com.amazonaws.ecs.capability.logging-driver.none",
    "com.amazonaws.ecs.capability.logging-driver.syslog",
    "com.amazonaws.ecs.capability.privileged-container",
    "com.amazonaws.ecs.capability.task-iam-role",
    "com.amazonaws.ecs.capability.task-iam-role-network-host",
    "ecs.capability.container-health-check",
    "ecs.capability.container-ordering",
    "ecs.capability.efsAuth",
    "ecs.capability.env-files.s3",
    "ecs.capability.execution-role-awslogs",
    "ecs.capability.execution-role-ecr-pull",
    "ecs.capability.secrets.asm.environment-variables",
    "ecs.capability.secrets.ssm.environment-variables",
    "ecs.capability.task-cpu-mem-limit",
    "ecs.capability.task-eni",
)
EXTERNAL_ATTRIBUTE = "ecs.capability.external"


def _ami(region: str) -> str:
    """One AMI id per region, as an auto-scaling group of ECS-optimized instances would have."""
    return "ami-" + hashlib.sha256(f"ecs-optimized/{region}".encode()).hexdigest()[:17]


def _next_zone(ctx: Context, cluster: Cluster) -> str:
    """Instances without a zone go to <region>a, <region>b, <region>c in turn, per cluster."""
    return ctx.region + "abc"[len(instances_of(ctx, cluster)) % 3]


def _builtin_attributes(
    ctx: Context, instance_type: str | None, zone: str | None, ami: str | None, external: bool
) -> dict[str, str | None]:
    attributes: dict[str, str | None] = {}
    if not external:
        attributes["ecs.ami-id"] = ami or _ami(ctx.region)
        attributes["ecs.availability-zone"] = zone
        attributes["ecs.instance-type"] = instance_type
    attributes["ecs.os-type"] = "linux"
    attributes["ecs.os-family"] = "LINUX"
    attributes["ecs.cpu-architecture"] = "x86_64"
    for name in CAPABILITIES:
        attributes[name] = None
    if external:
        attributes[EXTERNAL_ATTRIBUTE] = None
    return attributes


def register_instance(
    ctx: Context,
    cluster: Cluster,
    *,
    cpu: int,
    memory: int,
    ports: tuple[str, ...] = AGENT_PORTS,
    ports_udp: tuple[str, ...] = (),
    other_resources: list[dict[str, Any]] | None = None,
    instance_type: str | None = None,
    availability_zone: str | None = None,
    ami: str | None = None,
    ec2_instance_id: str | None = None,
    attributes: Mapping[str, str | None] | None = None,
    version_info: Mapping[str, str] | None = None,
    external: bool = False,
    tags: list[dict[str, Any]] | None = None,
) -> ContainerInstance:
    ids = ctx.backend.ids
    ident = ids.hex32()
    if ec2_instance_id is None:
        ec2_instance_id = ("mi-" if external else "i-") + ids.hex32()[:17]
    zone = None if external else availability_zone or _next_zone(ctx, cluster)
    merged = _builtin_attributes(ctx, instance_type, zone, ami, external)
    merged.update(attributes or {})
    instance = ContainerInstance(
        id=ident,
        arn=ctx.arn("ecs", f"container-instance/{cluster.name}/{ident}"),
        cluster=cluster.name,
        cluster_ref=cluster,
        ec2_instance_id=ec2_instance_id,
        registered_at=ctx.now,
        cpu=cpu,
        memory=memory,
        ports=ports,
        ports_udp=ports_udp,
        other_resources=list(other_resources or []),
        attributes=merged,
        version_info={**VERSION_INFO, **(version_info or {})},
        external=external,
    )
    if tags:
        set_tags(ctx, instance.arn, tags, replace=True)
    ctx.ecs.container_instances[ident] = instance
    cluster.container_instances += 1
    instances_changed(cluster, ctx.now)
    announce(ctx, instance)
    return instance


def add_container_instance(
    ctx: Context,
    cluster: str = "default",
    *,
    cpu: int = 2048,
    memory: int = 4096,
    instance_type: str = "m5.large",
    availability_zone: str | None = None,
    attributes: Mapping[str, str | None] | None = None,
    external: bool = False,
) -> str:
    """Register an ACTIVE container instance in ``cluster`` (which must exist) and return its ARN.

    ``cpu`` in CPU units, ``memory`` in MiB; ``attributes`` maps custom attribute names to values (None: an
    attribute without a value). Without ``availability_zone`` instances go to <region>a, b, c in turn.
    ``external=True`` registers an ECS Anywhere instance (``mi-`` id, attribute ``ecs.capability.external``).
    """
    for label, amount in (("cpu", cpu), ("memory", memory)):
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise TypeError(f"add_container_instance({label}=...) takes an int >= 0, got {amount!r}")
    if not isinstance(instance_type, str) or not instance_type:
        raise TypeError(f"add_container_instance(instance_type=...) takes a string, got {instance_type!r}")
    if availability_zone is not None and (not isinstance(availability_zone, str) or not availability_zone):
        raise TypeError(f"add_container_instance(availability_zone=...) takes a string, got {availability_zone!r}")
    custom = dict(attributes or {})
    for name, value in custom.items():
        if not isinstance(name, str) or not name or not (value is None or isinstance(value, str)):
            raise TypeError(
                "add_container_instance(attributes=...) maps attribute names to string values or None, "
                f"got {name!r}: {value!r}"
            )
    target = get_cluster(ctx, cluster)
    instance = register_instance(
        ctx,
        target,
        cpu=cpu,
        memory=memory,
        instance_type=None if external else instance_type,
        availability_zone=availability_zone,
        attributes=custom,
        external=external,
    )
    return instance.arn
