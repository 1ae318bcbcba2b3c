"""CreateServiceEnvironment, DescribeServiceEnvironments, UpdateServiceEnvironment, DeleteServiceEnvironment.

A service environment holds capacity for service jobs (SageMaker training jobs, service_jobs.py) that job queues
of type SAGEMAKER_TRAINING reach through ``serviceEnvironmentOrder`` [M:CreateServiceEnvironment;
M:CreateJobQueueRequest.serviceEnvironmentOrder]. Its status walks as a compute environment's does, on the same
timings: CREATING → VALID (``batch_compute_environment_create``), UPDATING → VALID (``_update``), DELETING → gone
(``_delete``). It must be DISABLED and attached to no queue to be deleted [M:DeleteServiceEnvironment].

``capacityLimits``: each limit's ``maxCapacity`` counts instances; ``capacityUnit`` NUM_INSTANCES counts every
instance, an instance type (quota management) only instances of that type [M:CapacityLimit].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.backend import Backend
from ..core.clock import Event
from ..core.context import Context
from ..core.errors import ClientException
from ..core.paging import page, with_token
from ..core.registry import handler
from .refs import name_of
from .service_runs import request_service_pass
from .state import BatchState, batch_state, json_copy

HEALTHY = "ServiceEnvironment Healthy"  # own wording, after the compute environments' "ComputeEnvironment Healthy"


@dataclass(eq=False)
class ServiceEnvironment:
    name: str
    arn: str
    kind: str  # SAGEMAKER_TRAINING
    state: str
    limits: list[dict[str, Any]]
    tags: dict[str, str]
    region: str
    status: str = "CREATING"
    pending: Event | None = None
    used: dict[str, float] = field(default_factory=dict)  # instances in use by capacity unit (service_jobs.py)

    @property
    def schedulable(self) -> bool:
        return self.state == "ENABLED" and self.status in ("VALID", "UPDATING")


def find_service_environment(ctx: Context, ref: str) -> ServiceEnvironment | None:
    name = name_of(ctx, ref, "service-environment")
    found: ServiceEnvironment | None = None if name is None else batch_state(ctx).service_environments.get(name)
    return found


def _get(ctx: Context, ref: str) -> ServiceEnvironment:
    env = find_service_environment(ctx, ref)
    if env is None:  # own wording, after "Compute environment … does not exist." (not confirmed)
        raise ClientException(f"Service environment {ref} does not exist.")
    return env


def describe(env: ServiceEnvironment) -> dict[str, Any]:
    """The ServiceEnvironmentDetail shape."""
    body: dict[str, Any] = {
        "serviceEnvironmentName": env.name,
        "serviceEnvironmentArn": env.arn,
        "serviceEnvironmentType": env.kind,
        "state": env.state,
        "status": env.status,
        "capacityLimits": json_copy(env.limits),
    }
    if env.tags:
        body["tags"] = dict(env.tags)
    return body


def _limits(given: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not given:  # own wording, not confirmed
        raise ClientException("capacityLimits must contain at least one capacity limit.")
    units = [limit.get("capacityUnit", "NUM_INSTANCES") for limit in given]
    if len(units) != len(set(units)):
        raise ClientException("capacityLimits: each capacityUnit can be given once.")  # own wording, not confirmed
    return [{"maxCapacity": limit.get("maxCapacity", 0), "capacityUnit": unit} for limit, unit in zip(
        given, units, strict=True)]


def _state_of(backend: Backend, env: ServiceEnvironment) -> BatchState:
    state: BatchState = backend.region_state(env.region).batch
    return state


def _valid(backend: Backend, env: ServiceEnvironment, at: float) -> None:
    env.status, env.pending = "VALID", None
    request_service_pass(backend, _state_of(backend, env), at)


def _settle(ctx: Context, env: ServiceEnvironment, timing: str) -> None:
    backend = ctx.backend
    if env.pending is not None:
        env.pending.cancel()
    env.pending = backend.events.schedule(ctx.now + backend.timings[timing], lambda t: _valid(backend, env, t))


@handler("batch", "CreateServiceEnvironment")
def create_service_environment(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    state = batch_state(ctx)
    name = req["serviceEnvironmentName"]
    if name in state.service_environments:
        raise ClientException("Object already exists")  # as for compute environments (observed wording)
    env = ServiceEnvironment(
        name=name,
        arn=ctx.arn("batch", f"service-environment/{name}"),
        kind=req["serviceEnvironmentType"],
        state=req.get("state", "ENABLED"),
        limits=_limits(req["capacityLimits"]),
        tags=dict(req.get("tags", {})),
        region=ctx.region,
    )
    state.service_environments[name] = env
    _settle(ctx, env, "batch_compute_environment_create")
    return {"serviceEnvironmentName": name, "serviceEnvironmentArn": env.arn}


@handler("batch", "DescribeServiceEnvironments")
def describe_service_environments(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    envs = list(batch_state(ctx).service_environments.values())
    refs = req.get("serviceEnvironments")
    if refs:
        wanted = [find_service_environment(ctx, ref) for ref in refs]
        envs = [env for env in envs if env in wanted]  # unknown names are simply absent
    chunk, token = page(envs, req, "DescribeServiceEnvironments", ClientException)
    return with_token({"serviceEnvironments": [describe(env) for env in chunk]}, token)


@handler("batch", "UpdateServiceEnvironment")
def update_service_environment(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    env = _get(ctx, req["serviceEnvironment"])
    if env.status in ("CREATING", "DELETING"):  # own wording, as for compute environments
        raise ClientException(f"Service environment {env.name} is {env.status} and can't be updated now.")
    if "capacityLimits" in req:
        env.limits = _limits(req["capacityLimits"])
    env.state = req.get("state", env.state)
    env.status = "UPDATING"
    _settle(ctx, env, "batch_compute_environment_update")
    request_service_pass(ctx.backend, batch_state(ctx), ctx.now)  # more capacity or ENABLED applies at once
    return {"serviceEnvironmentName": env.name, "serviceEnvironmentArn": env.arn}


@handler("batch", "DeleteServiceEnvironment")
def delete_service_environment(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    env = _get(ctx, req["serviceEnvironment"])
    if env.status == "DELETING":
        return {}
    if env.state != "DISABLED":
        raise ClientException(f"Cannot delete, service environment {env.name} is ENABLED: disable it with "
                              "UpdateServiceEnvironment first.")  # own wording, as for compute environments
    state = batch_state(ctx)
    if any(env is other for queue in state.job_queues.values() for _, other in queue.service_order):
        raise ClientException("Cannot delete, found existing JobQueue relationship")  # the compute environments' words
    if env.pending is not None:
        env.pending.cancel()
    env.status = "DELETING"
    backend = ctx.backend
    env.pending = backend.events.schedule(ctx.now + backend.timings["batch_compute_environment_delete"],
                                          lambda t: _deleted(state, env))
    return {}


def _deleted(state: BatchState, env: ServiceEnvironment) -> None:
    env.pending = None
    if state.service_environments.get(env.name) is env:
        del state.service_environments[env.name]


def service_order(ctx: Context, given: list[dict[str, Any]]) -> list[tuple[int, ServiceEnvironment]]:
    """CreateJobQueue/UpdateJobQueue ``serviceEnvironmentOrder``: VALID service environments, each once."""
    chosen: list[tuple[int, ServiceEnvironment]] = []
    for item in given:
        env = find_service_environment(ctx, item["serviceEnvironment"])
        if env is None:
            raise ClientException(f"Service environment {item['serviceEnvironment']} does not exist.")
        if env.status != "VALID":  # as for compute environments; own wording, not confirmed
            raise ClientException(f"Service environment {env.name} is {env.status}: it must be VALID to be associated "
                                  "with a job queue.")
        if any(env is other for _, other in chosen):
            raise ClientException(f"Service environment {env.name} appears twice in serviceEnvironmentOrder.")
        chosen.append((item["order"], env))
    if not chosen:
        raise ClientException("serviceEnvironmentOrder must name at least one service environment.")
    return sorted(chosen, key=lambda pair: pair[0])
