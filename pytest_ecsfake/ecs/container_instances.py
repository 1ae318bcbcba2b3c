"""Container instances: RegisterContainerInstance, DeregisterContainerInstance, DescribeContainerInstances,
ListContainerInstances, UpdateContainerInstancesState.

The records, their lookups and their wire shape are in ``instance_model.py``; registration (also for
``fake.add_container_instance``) is in ``instance_registration.py``. Choices where AWS is silent:
``docs/fidelity-container-instances.md``.
"""

from __future__ import annotations

import json
from typing import Any

from ..core.context import Context
from ..core.errors import InvalidParameterException
from ..core.paging import page, with_token
from ..core.registry import handler
from .clusters import get_cluster
from .instance_model import (
    AGENT_PORTS,
    ContainerInstance,
    announce,
    describe,
    find_instance,
    instances_changed,
    instances_of,
    refresh,
)
from .instance_registration import EXTERNAL_ATTRIBUTE, register_instance
from .lookup import describe_each
from .query import parse
from .state import Cluster
from .tags import set_tags

LISTED_STATUSES = ("ACTIVE", "DRAINING", "REGISTERING", "DEREGISTERING", "REGISTRATION_FAILED")


# -- handlers ------------------------------------------------------------------------------------------
def _failure_arn(ctx: Context, cluster: Cluster, ref: str) -> str:
    if ref.startswith("arn:") or "/" in ref:
        return ref
    return ctx.arn("ecs", f"container-instance/{cluster.name}/{ref}")


def _resource_int(resource: dict[str, Any]) -> int:
    for key in ("integerValue", "longValue", "doubleValue"):
        if key in resource:
            value = int(resource[key])
            if value < 0:
                raise InvalidParameterException(
                    f"totalResources: {resource.get('name')} must not be negative, got {resource[key]}."
                )
            return value
    raise InvalidParameterException(
        f"totalResources: {resource.get('name')} needs an integerValue (e.g. "
        f"{{'name': '{resource.get('name')}', 'type': 'INTEGER', 'integerValue': 2048}})."
    )


def _total_resources(items: list[dict[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {"cpu": 2048, "memory": 4096, "ports": AGENT_PORTS, "ports_udp": (), "other": []}
    for resource in items:
        name = resource.get("name")
        if name == "CPU":
            found["cpu"] = _resource_int(resource)
        elif name == "MEMORY":
            found["memory"] = _resource_int(resource)
        elif name in ("PORTS", "PORTS_UDP"):
            ports = tuple(str(p) for p in resource.get("stringSetValue", []))
            for port in ports:
                if not port.isdigit() or not 0 < int(port) < 65536:
                    raise InvalidParameterException(f"totalResources: {name} holds ports 1-65535, not {port!r}.")
            found["ports" if name == "PORTS" else "ports_udp"] = ports
        else:
            found["other"].append(dict(resource))
    return found


def _identity(document: str | None) -> dict[str, Any]:
    if not document:
        return {}
    try:
        parsed = json.loads(document)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise InvalidParameterException(
            "instanceIdentityDocument must be the EC2 instance identity document, a JSON object such as "
            '{"instanceId": "i-0123456789abcdef0", "instanceType": "m5.large", "availabilityZone": "us-east-1a"}.'
        )
    return parsed


def _request_attributes(req: dict[str, Any]) -> dict[str, str | None]:
    return {a["name"]: a.get("value") for a in req.get("attributes", [])}


@handler("ecs", "RegisterContainerInstance")
def register_container_instance(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    identity = _identity(req.get("instanceIdentityDocument"))
    resources = _total_resources(req.get("totalResources", []))
    custom = _request_attributes(req)
    external = EXTERNAL_ATTRIBUTE in custom
    existing = _reregistration(ctx, cluster, req.get("containerInstanceArn"), identity.get("instanceId"))
    if existing is not None:
        if "totalResources" in req:
            existing.cpu, existing.memory = resources["cpu"], resources["memory"]
            existing.ports, existing.ports_udp = resources["ports"], resources["ports_udp"]
            existing.other_resources = resources["other"]
        existing.attributes.update(custom)
        existing.version_info.update(req.get("versionInfo", {}))
        existing.agent_connected = True
        existing.version += 1
        set_tags(ctx, existing.arn, req.get("tags", []))
        instances_changed(existing.cluster_ref, ctx.now)
        announce(ctx, existing)
        return {"containerInstance": describe(ctx, existing, ["TAGS"])}
    instance = register_instance(
        ctx,
        cluster,
        cpu=resources["cpu"],
        memory=resources["memory"],
        ports=resources["ports"],
        ports_udp=resources["ports_udp"],
        other_resources=resources["other"],
        instance_type=None if external else identity.get("instanceType", "m5.large"),
        availability_zone=identity.get("availabilityZone"),
        ami=identity.get("imageId"),
        ec2_instance_id=identity.get("instanceId"),
        attributes=custom,
        version_info=req.get("versionInfo"),
        external=external,
        tags=req.get("tags"),
    )
    return {"containerInstance": describe(ctx, instance, ["TAGS"])}


def _reregistration(
    ctx: Context, cluster: Cluster, arn: str | None, ec2_instance_id: str | None
) -> ContainerInstance | None:
    """The registered instance a registration renews: the one ``containerInstanceArn`` names, or the one
    of the cluster with the same EC2 instance id (an agent that restarted)."""
    if arn:
        instance = find_instance(ctx, cluster, arn)
        if instance is None or instance.status == "INACTIVE":
            raise InvalidParameterException(
                f"containerInstanceArn {arn!r} is not a registered container instance of cluster "
                f"{cluster.name!r}; a deregistered instance registers again without containerInstanceArn."
            )
        return instance
    if ec2_instance_id:
        for instance in instances_of(ctx, cluster):
            if instance.ec2_instance_id == ec2_instance_id and instance.status != "INACTIVE":
                return instance
    return None


def _deregister(ctx: Context, instance: ContainerInstance) -> None:
    if instance.status in ("ACTIVE", "DRAINING"):
        instance.cluster_ref.container_instances -= 1
    instance.status = "INACTIVE"
    instance.agent_connected = False
    instance.version += 1
    instances_changed(instance.cluster_ref, ctx.now)
    announce(ctx, instance)


@handler("ecs", "DeregisterContainerInstance")
def deregister_container_instance(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    instance = find_instance(ctx, cluster, req["containerInstance"])
    if instance is None or instance.status == "INACTIVE":
        raise InvalidParameterException("The referenced container instance was not found.")
    refresh(ctx, instance)
    if instance.running_tasks_count and not req.get("force"):
        raise InvalidParameterException("Found running tasks on the instance.")
    _deregister(ctx, instance)
    return {"containerInstance": describe(ctx, instance)}


@handler("ecs", "DescribeContainerInstances")
def describe_container_instances(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    refs = req["containerInstances"]
    if not refs:
        raise InvalidParameterException("Container instances cannot be empty.")
    include = req.get("include", [])
    found, failures = describe_each(
        refs,
        lambda ref: find_instance(ctx, cluster, ref),
        lambda instance: describe(ctx, instance, include),
        lambda ref: _failure_arn(ctx, cluster, ref),
    )
    return {"containerInstances": found, "failures": failures}


@handler("ecs", "ListContainerInstances")
def list_container_instances(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    status = req.get("status")
    selected = [
        i for i in instances_of(ctx, cluster) if (i.status == status if status else i.status != "INACTIVE")
    ]
    if req.get("filter"):
        expression = parse(req["filter"])
        for instance in selected:
            refresh(ctx, instance)
        selected = [i for i in selected if expression.matches(i)]
    chunk, token = page([i.arn for i in selected], req, "ListContainerInstances", InvalidParameterException)
    return with_token({"containerInstanceArns": chunk}, token)


@handler("ecs", "UpdateContainerInstancesState")
def update_container_instances_state(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    status = req["status"]
    if status not in ("ACTIVE", "DRAINING"):
        raise InvalidParameterException(
            f"Container instance status can be updated only to ACTIVE or DRAINING, not {status}."
        )
    updated, failures = [], []
    for ref in req["containerInstances"]:
        instance = find_instance(ctx, cluster, ref)
        if instance is None:
            failures.append({"arn": _failure_arn(ctx, cluster, ref), "reason": "MISSING"})
            continue
        if instance.status not in ("ACTIVE", "DRAINING"):
            failures.append({"arn": instance.arn, "reason": instance.status})
            continue
        if instance.status != status:
            instance.status = status
            instance.version += 1
            instances_changed(instance.cluster_ref, ctx.now)
            announce(ctx, instance)
        updated.append(describe(ctx, instance))
    return {"containerInstances": updated, "failures": failures}
