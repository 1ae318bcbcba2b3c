"""CreateComputeEnvironment, DescribeComputeEnvironments, UpdateComputeEnvironment, DeleteComputeEnvironment.

A compute environment goes CREATING → VALID on the clock and then owns an ECS cluster
(``<name>_Batch_<uuid>``, as AWS names them) that the ECS API sees. How capacity exists there:

* FARGATE / FARGATE_SPOT: no instances; Batch itself counts the vCPUs of running attempts against
  ``maxvCpus``.
* MANAGED EC2 / SPOT: one ECS container instance stands for the whole environment, with ``maxvCpus`` × 1024
  CPU units and ``maxvCpus`` × ``MIB_PER_VCPU`` MiB (state.py), so ECS placement and DescribeContainerInstances
  show what jobs use. It follows ``maxvCpus`` on update. (AWS scales real instances; the fake does not model
  instance launches.)
* UNMANAGED: the user registers container instances into ``ecsClusterArn`` (``fake.add_container_instance``
  or RegisterContainerInstance); jobs are placed on them by ECS placement.
"""

from __future__ import annotations

from typing import Any

from ..core.backend import Backend
from ..core.context import Context
from ..core.errors import ClientException
from ..core.paging import page, with_token
from ..core.registry import handler
from ..ecs.state import Cluster
from .eks import check_configuration, update_configuration
from .job_definitions import server_side
from .refs import name_of
from .scheduler import request_pass
from .state import FARGATE_TYPES, MIB_PER_VCPU, BatchState, ComputeEnvironment, batch_state, event_context

HEALTHY = "ComputeEnvironment Healthy"
# Members AWS says not to give for Fargate resources [M:ComputeResource].
NOT_FOR_FARGATE = ("allocationStrategy", "minvCpus", "desiredvCpus", "instanceTypes", "imageId", "ec2KeyPair",
                   "instanceRole", "tags", "placementGroup", "bidPercentage", "spotIamFleetRole",
                   "launchTemplate", "ec2Configuration", "scalingPolicy")


def environment_arn(ctx: Context, name: str) -> str:
    return ctx.arn("batch", f"compute-environment/{name}")


def find_environment(ctx: Context, ref: str) -> ComputeEnvironment | None:
    """A compute environment by name or ARN (of this region and account)."""
    name = name_of(ctx, ref, "compute-environment")
    return None if name is None else batch_state(ctx).compute_environments.get(name)


def get_environment(ctx: Context, ref: str) -> ComputeEnvironment:
    env = find_environment(ctx, ref)
    if env is None:
        raise ClientException(f"Compute environment {ref} does not exist.")
    return env


def describe(env: ComputeEnvironment) -> dict[str, Any]:
    """The ComputeEnvironmentDetail shape."""
    body: dict[str, Any] = {
        "computeEnvironmentName": env.name,
        "computeEnvironmentArn": env.arn,
        "type": env.kind,
        "state": env.state,
        "status": env.status,
        "serviceRole": env.service_role,
        "containerOrchestrationType": "EKS" if env.eks is not None else "ECS",
        "uuid": env.uuid,
    }
    if env.eks is not None:
        body["eksConfiguration"] = _copy(env.eks)
    if env.status_reason:
        body["statusReason"] = env.status_reason
    if env.cluster is not None:
        body["ecsClusterArn"] = env.cluster.arn
    if env.resources is not None:
        body["computeResources"] = _copy(env.resources)
    if env.unmanaged_vcpus is not None:
        body["unmanagedvCpus"] = env.unmanaged_vcpus
    if env.update_policy is not None:
        body["updatePolicy"] = dict(env.update_policy)
    if env.tags:
        body["tags"] = dict(env.tags)
    return body


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _check_resources(resources: dict[str, Any], fargate: bool, creating: bool) -> None:
    if fargate:
        for member in NOT_FOR_FARGATE:
            if member in resources:
                raise ClientException(
                    f"computeResources.{member} isn't applicable to Fargate compute resources: don't specify it."
                )
        if creating and not resources.get("securityGroupIds"):
            raise ClientException("computeResources.securityGroupIds must contain at least one security group "
                                  "for Fargate compute resources.")
        if len(resources.get("subnets", [])) > 16:
            raise ClientException("Fargate compute resources can contain up to 16 subnets.")
    elif creating:
        if not resources.get("instanceRole"):
            # The sentence of moto's tests, in Batch's observed server-side form (believed copied from AWS).
            raise server_side("Instance role is required.")
        if (resources["type"] == "SPOT" and resources.get("allocationStrategy", "BEST_FIT") == "BEST_FIT"
                and not resources.get("spotIamFleetRole")):
            raise ClientException("computeResources.spotIamFleetRole is required for SPOT compute resources with "
                                  "the BEST_FIT allocation strategy.")
    if creating and not resources.get("subnets"):
        raise ClientException("computeResources.subnets must contain at least one subnet.")
    low, high = resources.get("minvCpus", 0), resources["maxvCpus"]
    desired = resources.get("desiredvCpus", low)
    if low < 0 or high < 0 or not low <= desired <= high:
        raise ClientException(
            f"computeResources: minvCpus ({low}) <= desiredvCpus ({desired}) <= maxvCpus ({high}) must hold, "
            "all >= 0."
        )


def _defaults(resources: dict[str, Any], eks: bool = False) -> dict[str, Any]:
    filled: dict[str, Any] = _copy(resources)
    if filled["type"] not in FARGATE_TYPES:
        filled.setdefault("allocationStrategy", "BEST_FIT")
        filled.setdefault("minvCpus", 0)
        filled.setdefault("desiredvCpus", filled["minvCpus"])
        # "the default is ECS_AL2023 for EC2 (ECS) compute environments and EKS_AL2023 for EKS" [M:ComputeResource]
        filled.setdefault("ec2Configuration", [{"imageType": "EKS_AL2023" if eks else "ECS_AL2023"}])
    return filled


@handler("batch", "CreateComputeEnvironment")
def create_compute_environment(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    state = batch_state(ctx)
    name, kind = req["computeEnvironmentName"], req["type"]
    if name in state.compute_environments:
        raise ClientException("Object already exists")
    resources = req.get("computeResources")
    eks = check_configuration(ctx, req) if "eksConfiguration" in req else None
    if kind == "MANAGED":
        if resources is None:
            raise ClientException("computeResources is required for a MANAGED compute environment.")
        if "unmanagedvCpus" in req:
            raise ClientException("unmanagedvCpus is only supported for UNMANAGED compute environments.")
        _check_resources(resources, resources["type"] in FARGATE_TYPES, creating=True)
        resources = _defaults(resources, eks is not None)
    elif resources is not None:
        raise ClientException("computeResources can't be specified for an UNMANAGED compute environment.")
    env = ComputeEnvironment(
        name=name,
        arn=environment_arn(ctx, name),
        uuid=ctx.backend.ids.uuid(),
        kind=kind,
        state=req.get("state", "ENABLED"),
        resources=resources,
        service_role=req.get("serviceRole")
        or f"arn:aws:iam::{ctx.account_id}:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch",
        tags=dict(req.get("tags", {})),
        unmanaged_vcpus=req.get("unmanagedvCpus"),
        eks=eks,
    )
    state.compute_environments[name] = env
    backend, region = ctx.backend, ctx.region
    env.pending = backend.events.schedule(ctx.now + backend.timings["batch_compute_environment_create"],
                                          lambda t: _created(backend, region, env, t))
    return {"computeEnvironmentName": name, "computeEnvironmentArn": env.arn}


def _created(backend: Backend, region: str, env: ComputeEnvironment, at: float) -> None:
    if env.eks is not None:  # pods run in the EKS cluster's namespace (pods.py): no ECS cluster
        _valid(backend, env, at)
        return
    ctx = event_context(backend, region, at)
    cluster_name = f"{env.name}_Batch_{env.uuid}"
    fargate = env.fargate
    cluster = Cluster(
        name=cluster_name,
        arn=ctx.arn("ecs", f"cluster/{cluster_name}"),
        settings=[{"name": "containerInsights", "value": "disabled"}],
        capacity_providers=["FARGATE", "FARGATE_SPOT"] if fargate else [],
    )
    ctx.ecs.clusters[cluster_name] = cluster
    env.cluster = cluster
    if env.kind == "MANAGED" and not fargate:
        from ..ecs.instance_registration import add_container_instance

        types = env.resources.get("instanceTypes") if env.resources else None
        arn = add_container_instance(ctx, cluster_name, cpu=env.max_vcpus * 1024, memory=env.max_vcpus * MIB_PER_VCPU,
                                     instance_type=types[0] if types else "optimal")
        env.instance = ctx.ecs.container_instances[arn.rsplit("/", 1)[1]]
    _valid(backend, env, at)


def _valid(backend: Backend, env: ComputeEnvironment, at: float) -> None:
    env.status, env.status_reason, env.pending = "VALID", HEALTHY, None
    request_pass(backend, env_state(backend, env), at)


def env_state(backend: Backend, env: ComputeEnvironment) -> BatchState:
    state: BatchState = backend.region_state(env.arn.split(":")[3]).batch
    return state


@handler("batch", "DescribeComputeEnvironments")
def describe_compute_environments(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    envs = list(batch_state(ctx).compute_environments.values())
    refs = req.get("computeEnvironments")
    if refs:
        wanted = [find_environment(ctx, ref) for ref in refs]
        envs = [env for env in envs if env in wanted]  # unknown names are simply absent
    chunk, token = page(envs, req, "DescribeComputeEnvironments", ClientException)
    return with_token({"computeEnvironments": [describe(env) for env in chunk]}, token)


@handler("batch", "UpdateComputeEnvironment")
def update_compute_environment(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    env = get_environment(ctx, req["computeEnvironment"])
    creating = env.status == "CREATING"
    if creating:
        # AWS's answer to an update of a CREATING environment is not known: applied at once, the rule recorded,
        # and the environment becomes VALID when its creation ends (no UPDATING step).
        ctx.documented(f"UpdateComputeEnvironment: compute environment {env.name} is CREATING; update it once it "
                       "is VALID")
    elif env.status in ("DELETING", "INVALID"):
        raise ClientException(f"Compute environment {env.name} is {env.status} and can't be updated now.")
    changes = req.get("computeResources")
    if changes is not None:
        if env.resources is None:
            raise ClientException("computeResources can't be updated on an UNMANAGED compute environment.")
        _update_resources(env, changes)
    if "unmanagedvCpus" in req:
        if env.kind != "UNMANAGED":
            raise ClientException("unmanagedvCpus is only supported for UNMANAGED compute environments.")
        env.unmanaged_vcpus = req["unmanagedvCpus"]
    if "eksConfiguration" in req:
        if env.eks is None:  # own wording, not confirmed
            raise ClientException(f"Compute environment {env.name} doesn't run on Amazon EKS: eksConfiguration can't "
                                  "be updated.")
        update_configuration(env.eks, req["eksConfiguration"])
    env.state = req.get("state", env.state)
    env.service_role = req.get("serviceRole", env.service_role)
    env.update_policy = req.get("updatePolicy", env.update_policy)
    if creating:
        return {"computeEnvironmentName": env.name, "computeEnvironmentArn": env.arn}
    if env.pending is not None:
        env.pending.cancel()
    env.status, env.status_reason = "UPDATING", None
    backend = ctx.backend
    env.pending = backend.events.schedule(ctx.now + backend.timings["batch_compute_environment_update"],
                                          lambda t: _valid(backend, env, t))
    request_pass(backend, batch_state(ctx), ctx.now)  # a new state or more vCPUs apply at once
    return {"computeEnvironmentName": env.name, "computeEnvironmentArn": env.arn}


def _update_resources(env: ComputeEnvironment, changes: dict[str, Any]) -> None:
    assert env.resources is not None
    current = env.resources
    kind = changes.get("type", current["type"])
    if (kind in FARGATE_TYPES) != env.fargate:
        raise ClientException("computeResources.type can't change between EC2 and Fargate resources.")
    merged = _copy(current)
    merged.update({k: _copy(v) for k, v in changes.items() if k != "updateToLatestImageVersion"})
    _check_resources({**changes, "maxvCpus": merged["maxvCpus"]} if env.fargate else merged, env.fargate,
                     creating=False)
    env.resources = merged
    if env.instance is not None:
        # The stand-in instance follows the environment's size (see the module docstring).
        env.instance.cpu = env.max_vcpus * 1024
        env.instance.memory = env.max_vcpus * MIB_PER_VCPU
        env.instance.version += 1


@handler("batch", "DeleteComputeEnvironment")
def delete_compute_environment(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    env = get_environment(ctx, req["computeEnvironment"])
    if env.status == "DELETING":
        return {}
    if env.state != "DISABLED":
        raise ClientException(
            f"Cannot delete, compute environment {env.name} is ENABLED: disable it with UpdateComputeEnvironment first."
        )
    if any(env in queue.environments for queue in batch_state(ctx).job_queues.values()):
        raise ClientException("Cannot delete, found existing JobQueue relationship")
    if env.pending is not None:
        env.pending.cancel()
    env.status, env.status_reason = "DELETING", None
    backend, region = ctx.backend, ctx.region
    env.pending = backend.events.schedule(ctx.now + backend.timings["batch_compute_environment_delete"],
                                          lambda t: _deleted(backend, region, env, t))
    return {}


def _deleted(backend: Backend, region: str, env: ComputeEnvironment, at: float) -> None:
    env.pending = None
    if env.active_attempts:
        # AWS: jobs must be terminated before deleting; otherwise the environment becomes INVALID.
        env.status = "INVALID"
        env.status_reason = "Compute environment deleted while jobs were still running on it"
        return
    if env.instance is not None:
        from ..ecs.instance_model import ContainerInstance

        instance: ContainerInstance = env.instance
        if instance.status in ("ACTIVE", "DRAINING"):
            instance.cluster_ref.container_instances -= 1
        instance.status, instance.agent_connected = "INACTIVE", False
        instance.version += 1
    if env.cluster is not None:
        from ..ecs.clusters import retire

        retire(backend, event_context(backend, region, at).ecs.clusters, env.cluster, at)
    state = env_state(backend, env)
    if state.compute_environments.get(env.name) is env:
        del state.compute_environments[env.name]
