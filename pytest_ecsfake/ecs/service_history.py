"""Service deployments and service revisions as records (ListServiceDeployments, DescribeServiceDeployments,
DescribeServiceRevisions), kept in step with the rolling deployments the scheduler runs.

Every deployment the scheduler starts from CreateService or UpdateService gets a ``ServiceDeploymentRecord``
(PENDING) and a ``ServiceRevision`` (what it deploys); a circuit-breaker or manual rollback is part of the
record it rolls back and deploys the revision it returns to, not a new record. The transitions happen where the
scheduler makes them (``deployments.py``): PENDING → IN_PROGRESS at the scheduler's first step,
IN_PROGRESS → SUCCESSFUL at steady state, → STOPPED when the circuit breaker fails it without rollback or a
newer deployment supersedes it, → ROLLBACK_REQUESTED (StopServiceDeployment) → ROLLBACK_IN_PROGRESS →
ROLLBACK_SUCCESSFUL (or ROLLBACK_FAILED). Choices where AWS is silent: ``docs/fidelity-services.md``.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..core.records import Record
from .service_model import Deployment, Service

if TYPE_CHECKING:
    from ..core.backend import Backend

ONGOING = frozenset({"PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"})


def _prefix(service: Service) -> str:
    """``arn:aws:ecs:<region>:<account>:`` of the service."""
    return service.arn.split("service/", 1)[0]


def _path(service: Service) -> str:
    return f"{service.cluster.name}/{service.name}"


class ServiceRevision(Record):
    """What one deployment deploys [M:ServiceRevision]; immutable once made."""

    arn: str
    service: Service
    created_at: float
    body: dict[str, Any]  # taskDefinition, launchType or capacityProviderStrategy, networkConfiguration, ...
    # What other resources' current state adds to it when described (the gateway connections, gateway_routes.py).
    live: Callable[[], dict[str, Any]] | None
    _hidden = ("live",)

    def __init__(self, arn: str, service: Service, created_at: float, body: dict[str, Any],
                 live: Callable[[], dict[str, Any]] | None = None) -> None:
        self.arn, self.service, self.created_at, self.body, self.live = arn, service, created_at, body, live

    def describe(self) -> dict[str, Any]:
        extra = self.live() if self.live is not None else {}
        return {"serviceRevisionArn": self.arn, "serviceArn": self.service.arn,
                "clusterArn": self.service.cluster.arn, **copy.deepcopy(self.body), **extra,
                "createdAt": self.created_at}


class ServiceDeploymentRecord(Record):
    arn: str
    service: Service
    created_at: float
    target: ServiceRevision
    deployment: Deployment  # the scheduler's deployment of the target revision
    sources: list[tuple[ServiceRevision, Deployment]]
    configuration: dict[str, Any]  # the service's deploymentConfiguration when it was created
    status: str
    status_reason: str | None
    updated_at: float
    started_at: float | None
    finished_at: float | None
    stopped_at: float | None
    breaker_status: str
    rollback: dict[str, Any] | None
    rollback_source: Deployment | None  # what StopServiceDeployment rolls back to
    rollback_deployment: Deployment | None
    final_counts: dict[str, int] | None  # the target's counts when it finished

    def __init__(self, arn: str, service: Service, created_at: float, target: ServiceRevision,
                 deployment: Deployment, sources: list[tuple[ServiceRevision, Deployment]],
                 configuration: dict[str, Any], status: str = "PENDING", status_reason: str | None = None,
                 updated_at: float = 0.0, started_at: float | None = None, finished_at: float | None = None,
                 stopped_at: float | None = None, breaker_status: str = "MONITORING",
                 rollback: dict[str, Any] | None = None, rollback_source: Deployment | None = None,
                 rollback_deployment: Deployment | None = None, final_counts: dict[str, int] | None = None) -> None:
        self.arn, self.service, self.created_at, self.target = arn, service, created_at, target
        self.deployment, self.sources, self.configuration, self.status = deployment, sources, configuration, status
        self.status_reason, self.updated_at, self.started_at = status_reason, updated_at, started_at
        self.finished_at, self.stopped_at, self.breaker_status = finished_at, stopped_at, breaker_status
        self.rollback, self.rollback_source, self.rollback_deployment = rollback, rollback_source, rollback_deployment
        self.final_counts = final_counts

    def set(self, status: str, at: float, reason: str | None = None) -> None:
        self.status, self.updated_at = status, at
        if reason is not None:
            self.status_reason = reason

    def _counts(self, deployment: Deployment) -> dict[str, int]:
        if deployment.status == "INACTIVE":
            return {"requestedTaskCount": 0, "runningTaskCount": 0, "pendingTaskCount": 0}
        return {"requestedTaskCount": deployment.desired_count, "runningTaskCount": deployment.running_count,
                "pendingTaskCount": deployment.pending_count}

    def finish(self, status: str, at: float, reason: str | None, *, stopped: bool = False) -> None:
        self.final_counts = self._counts(self.deployment)
        self.set(status, at, reason)
        self.finished_at = at
        if stopped:
            self.stopped_at = at
        if self.breaker_status == "MONITORING":
            self.breaker_status = "MONITORING_COMPLETE"

    def brief(self) -> dict[str, Any]:
        body: dict[str, Any] = {"serviceDeploymentArn": self.arn, "serviceArn": self.service.arn,
                                "clusterArn": self.service.cluster.arn, "createdAt": self.created_at,
                                "targetServiceRevisionArn": self.target.arn, "status": self.status}
        optional = {"startedAt": self.started_at, "finishedAt": self.finished_at, "statusReason": self.status_reason}
        body.update({k: v for k, v in optional.items() if v is not None})
        return body

    def describe(self, threshold: int) -> dict[str, Any]:
        breaker = self.configuration.get("deploymentCircuitBreaker") or {}
        alarms = self.configuration.get("alarms") or {}
        body = self.brief()
        del body["targetServiceRevisionArn"]
        body.update({
            "updatedAt": self.updated_at,
            "sourceServiceRevisions": [{"arn": r.arn, **self._counts(d)} for r, d in self.sources],
            "targetServiceRevision": {"arn": self.target.arn,
                                      **(self.final_counts or self._counts(self.deployment))},
            "deploymentConfiguration": copy.deepcopy(self.configuration),
            "deploymentCircuitBreaker": {
                "status": self.breaker_status if breaker.get("enable") else "DISABLED",
                "failureCount": self.deployment.failed_tasks, "threshold": threshold},
            # The fake evaluates no CloudWatch alarm: an enabled check monitors, and never triggers.
            "alarms": {"status": ("MONITORING" if self.status in ONGOING else "MONITORING_COMPLETE")
                       if alarms.get("enable") else "DISABLED",
                       "alarmNames": list(alarms.get("alarmNames", [])), "triggeredAlarmNames": []},
        })
        if self.stopped_at is not None:
            body["stoppedAt"] = self.stopped_at
        if self.rollback is not None:
            body["rollback"] = dict(self.rollback)
        return body


def _revision_body(service: Service, deployment: Deployment) -> dict[str, Any]:
    definition = deployment.definition
    body: dict[str, Any] = {"taskDefinition": definition.arn}
    if deployment.capacity_provider_strategy is not None:
        body["capacityProviderStrategy"] = copy.deepcopy(deployment.capacity_provider_strategy)
    else:
        body["launchType"] = deployment.launch_type
    if deployment.platform_version is not None:
        body.update(platformVersion=deployment.platform_version, platformFamily="Linux")
    body["loadBalancers"] = copy.deepcopy(service.load_balancers)
    body["serviceRegistries"] = copy.deepcopy(service.service_registries)
    if deployment.network_configuration is not None:
        body["networkConfiguration"] = copy.deepcopy(deployment.network_configuration)
    body["containerImages"] = [{"containerName": c.get("name", ""), "image": c.get("image", "")}
                               for c in definition.body.get("containerDefinitions", [])]
    body["guardDutyEnabled"] = False
    return body


def new_revision(backend: Backend, service: Service, deployment: Deployment, at: float) -> ServiceRevision:
    digits = int(backend.ids.hex32()[:16], 16) % (9 * 10**18) + 10**18
    revision = ServiceRevision(arn=f"{_prefix(service)}service-revision/{_path(service)}/{digits}", service=service,
                               created_at=at, body=_revision_body(service, deployment))
    deployment.revision = revision
    backend.region_state(service.region).ecs.service_revisions[revision.arn] = revision
    return revision


def record_start(backend: Backend, service: Service, deployment: Deployment, at: float) -> ServiceDeploymentRecord:
    """A new PENDING service deployment of ``deployment`` from the revisions the service runs now."""
    state = backend.region_state(service.region).ecs
    ident = base64.urlsafe_b64encode(bytes.fromhex(backend.ids.hex32())).decode().rstrip("=")
    sources = [(d.revision, d) for d in service.deployments if d is not deployment and d.revision is not None]
    for record in records_of(backend, service):
        if record.status in ONGOING:
            # Superseded: the fake's choice (fidelity-services.md); the newer deployment replaces its tasks.
            record.finish("STOPPED", at, "Service deployment stopped: a newer service deployment started.",
                          stopped=True)
    record = ServiceDeploymentRecord(
        arn=f"{_prefix(service)}service-deployment/{_path(service)}/{ident}", service=service, created_at=at,
        target=new_revision(backend, service, deployment, at), deployment=deployment, sources=sources,
        configuration=copy.deepcopy(service.deployment_configuration), updated_at=at)
    state.service_deployments[record.arn] = record
    return record


def records_of(backend: Backend, service: Service) -> list[ServiceDeploymentRecord]:
    """The service's deployments, oldest first."""
    state = backend.region_state(service.region).ecs
    return [r for r in state.service_deployments.values() if r.service is service]


def record_of(backend: Backend, deployment: Deployment, service: Service) -> ServiceDeploymentRecord | None:
    """The record whose target or rollback is ``deployment``."""
    for record in records_of(backend, service):
        if deployment in (record.deployment, record.rollback_deployment):
            return record
    return None


def forget(backend: Backend, service: Service) -> None:
    """DeleteService: "Amazon ECS deletes the corresponding service deployments" [DG:service-deployment]."""
    state = backend.region_state(service.region).ecs
    for arn in [a for a, r in state.service_deployments.items() if r.service is service]:
        del state.service_deployments[arn]
    for arn in [a for a, r in state.service_revisions.items() if r.service is service]:
        del state.service_revisions[arn]
