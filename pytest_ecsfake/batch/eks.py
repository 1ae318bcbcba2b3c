"""AWS Batch on Amazon EKS: compute environments with ``eksConfiguration``, job definitions with ``eksProperties``,
SubmitJob's ``eksPropertiesOverride``, and the JobDetail of an EKS job (``eksProperties``, ``eksAttempts``).

A MANAGED EKS environment of EC2 or SPOT resources runs each job as one pod (pods.py); it has no ECS cluster.
Its capacity is its ``maxvCpus``: the vCPUs of the pods under way are counted against it (the fake launches no
nodes). A pod's vCPUs and MiB are the sums over its containers of the larger of ``requests``/``limits``.
"""

from __future__ import annotations

import re
from typing import Any

from ..core.context import Context
from ..core.errors import ClientException
from .pods import current
from .state import JobDefinition, json_copy

NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# Own choice where the pod asks for none (docs/fidelity-batch.md): what the scheduler counts for it.
DEFAULT_VCPUS, DEFAULT_MIB = 1.0, 1024


def check_configuration(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """CreateComputeEnvironment's ``eksConfiguration``: the EKS environment kinds the fake runs."""
    config: dict[str, Any] = json_copy(req["eksConfiguration"])
    resources = req.get("computeResources")
    if req["type"] != "MANAGED" or resources is None:
        ctx.unsupported("UNMANAGED compute environments on Amazon EKS (nodes you manage)")
    if resources["type"] not in ("EC2", "SPOT"):
        ctx.unsupported(f"{resources['type']} resources in a compute environment on Amazon EKS")
    namespace = config["kubernetesNamespace"]
    # [M:EksConfiguration.kubernetesNamespace]: stated, not known to be refused by Batch itself.
    if (len(namespace) >= 64 or namespace == "default" or namespace.startswith("kube-")
            or not NAMESPACE.match(namespace)):
        ctx.documented("EksConfiguration.kubernetesNamespace: fewer than 64 characters, not default, not starting "
                       "with kube-, matching ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    if "accessEntry" in config:
        update_configuration(config, config)
    return config


def update_configuration(config: dict[str, Any], change: dict[str, Any]) -> None:
    """UpdateComputeEnvironment's ``eksConfiguration``: "the accessEntry setting is the only Amazon EKS
    configuration that you can change" [M:UpdateComputeEnvironmentRequest.eksConfiguration]."""
    if "accessEntry" in change:
        entry = json_copy(change["accessEntry"])
        entry["status"] = "INACTIVE" if entry["desiredState"] == "DISABLED" else "ACTIVE"
        config["accessEntry"] = entry


def _quantity(value: str, what: str, mib: bool) -> float:
    text = str(value)
    try:
        if mib:
            for suffix, factor in (("Mi", 1.0), ("Gi", 1024.0)):
                if text.endswith(suffix):
                    return float(text[: -len(suffix)]) * factor
            return float(text) / (1024 * 1024)  # a bare number of bytes, as Kubernetes reads it
        if text.endswith("m"):
            return float(text[:-1]) / 1000
        return float(text)
    except ValueError:
        raise ClientException(f"resources {what} value {value!r} is not a valid quantity.") from None


def _container_resources(ctx: Context, container: dict[str, Any]) -> tuple[float | None, float | None]:
    resources = container.get("resources", {})
    limits, requests = resources.get("limits", {}), resources.get("requests", {})
    found: list[float | None] = []
    for key, mib in (("cpu", False), ("memory", True)):
        limit = _quantity(limits[key], key, mib) if key in limits else None
        request = _quantity(requests[key], key, mib) if key in requests else None
        if key == "memory" and None not in (limit, request) and limit != request:
            ctx.documented("EksContainerResourceRequirements: memory in limits must equal memory in requests")
        if key == "cpu" and None not in (limit, request) and limit < request:  # type: ignore[operator]
            ctx.documented("EksContainerResourceRequirements: cpu in limits must be at least cpu in requests")
        values = [v for v in (limit, request) if v is not None]
        found.append(max(values) if values else None)
    return found[0], found[1]


def pod_resources(ctx: Context, pod: dict[str, Any]) -> tuple[float, int]:
    """The pod's vCPUs and MiB, for the scheduler."""
    vcpus = mib = 0.0
    for container in pod["containers"]:
        cpu, memory = _container_resources(ctx, container)
        vcpus += cpu or 0.0
        mib += memory or 0.0
    if 0 < mib < 4:
        ctx.documented("EksContainerResourceRequirements: at least 4 MiB of memory for a job")
    return (vcpus or DEFAULT_VCPUS), int(mib) if mib > 0 else DEFAULT_MIB


def _check_pod(ctx: Context, pod: dict[str, Any] | None) -> None:
    if not pod or not pod.get("containers"):
        # Own wording (not confirmed): a pod needs at least one container.
        raise ClientException("eksProperties.podProperties.containers must contain at least one container.")
    for group in ("containers", "initContainers"):
        names = [c.get("name", "Default") for c in pod.get(group, [])]
        if len(names) != len(set(names)):
            raise ClientException(f"eksProperties.podProperties.{group}: each container in a pod must have a unique "
                                  "name.")
        for container in pod.get(group, []):
            for variable in container.get("env", []):
                if str(variable.get("name", "")).startswith("AWS_BATCH"):
                    raise ClientException(f"Environment variable {variable['name']!r}: names starting with AWS_BATCH "
                                          "are reserved for the variables that Batch sets.")
    pod_resources(ctx, pod)


def definition_body(ctx: Context, req: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """RegisterJobDefinition with ``eksProperties``: the JobDefinition shape of an EKS definition."""
    for member in ("containerProperties", "ecsProperties", "nodeProperties"):
        if member in req:
            raise ClientException(f"{member} can't be specified together with eksProperties.")
    for member in ("platformCapabilities", "propagateTags"):
        if member in req:
            ctx.documented(f"RegisterJobDefinitionRequest.{member}: not to be specified for jobs on Amazon EKS")
    _check_pod(ctx, req["eksProperties"].get("podProperties"))
    body = {k: v for k, v in body.items() if k not in ("containerProperties", "platformCapabilities", "propagateTags")}
    body["eksProperties"] = json_copy(req["eksProperties"])
    body["containerOrchestrationType"] = "EKS"
    return body


def _merge_env(base: list[dict[str, Any]], changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged = {v["name"]: dict(v) for v in base}
    merged.update({v["name"]: dict(v) for v in changes})
    return list(merged.values())


def _override_containers(given: list[dict[str, Any]], changes: list[dict[str, Any]], group: str) -> None:
    for place, change in enumerate(changes):
        if "name" in change:
            target = next((c for c in given if c.get("name", "Default") == change["name"]), None)
        else:
            target = given[place] if place < len(given) else None
        if target is None:
            raise ClientException(f"eksPropertiesOverride.podProperties.{group}[{place}] names no container of the "
                                  "job definition.")  # own wording, not confirmed
        for key in ("image", "command", "args"):
            if key in change:
                target[key] = json_copy(change[key])
        if "env" in change:
            target["env"] = _merge_env(target.get("env", []), change["env"])
        if "resources" in change:
            target["resources"] = json_copy(change["resources"])  # "These override the settings in the job definition"


def job_properties(ctx: Context, definition: JobDefinition, req: dict[str, Any]) -> tuple[dict[str, Any], float, int]:
    """SubmitJob of an EKS definition: the job's EksProperties (the definition's with ``eksPropertiesOverride``),
    its vCPUs and MiB."""
    if "containerOverrides" in req or "nodeOverrides" in req:
        # AWS's answer (nextflow-io/nextflow#5817)
        raise ClientException("Container overrides or node overrides should not be set for Batch on EKS jobs.")
    props: dict[str, Any] = json_copy(definition.body["eksProperties"])
    pod = props.setdefault("podProperties", {})
    override = req.get("eksPropertiesOverride", {}).get("podProperties", {})
    for group in ("containers", "initContainers"):
        if group in override:
            _override_containers(pod.setdefault(group, []), override[group], group)
    if "metadata" in override:
        metadata = pod.setdefault("metadata", {})
        for key in ("labels", "annotations"):
            if key in override["metadata"]:
                metadata[key] = {**metadata.get(key, {}), **override["metadata"][key]}
        if "namespace" in override["metadata"]:
            metadata["namespace"] = override["metadata"]["namespace"]
    _check_pod(ctx, pod)
    vcpus, mib = pod_resources(ctx, pod)
    return props, vcpus, mib


__all__ = ["check_configuration", "current", "definition_body", "job_properties"]
