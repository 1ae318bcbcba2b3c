"""Managed daemons as records: daemon task definitions, daemons, their revisions and deployments, and their wire
shapes [M:DaemonTaskDefinition, M:DaemonDetail, M:DaemonRevision, M:DaemonDeployment].

Not the DAEMON scheduling strategy of services (``daemon.py``): these are the resources of CreateDaemon and
RegisterDaemonTaskDefinition. Handlers are in ``daemon_task_definitions.py``, ``daemons.py`` and
``daemon_deployments.py``; the rollout on the fake clock in ``daemon_rollout.py``. ARN formats follow the API
reference's samples and the IAM resource types: ``daemon/<cluster>/<name>``,
``daemon-deployment/<cluster>/<name>/<id>``, ``daemon-revision/<cluster>/<name>/<id>``,
``daemon-task-definition/<family>:<revision>``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from ..core.context import Context
from .state import Cluster, TaskDefinition
from .task_model import Task

# The network mode daemon tasks run in: a daemon task definition has no networkMode nor port mappings; host
# agents (log routers, monitors) share the instance's network (the fake's choice, docs/fidelity-daemons.md).
NETWORK_MODE = "host"
LIVE_DEPLOYMENT = ("PENDING", "IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "STOP_REQUESTED")


@dataclass(eq=False)
class DaemonTaskDefinition:
    arn: str
    family: str
    revision: int
    body: dict[str, Any]  # the DaemonTaskDefinition shape without status and deleteRequestedAt
    status: str = "ACTIVE"
    delete_requested_at: float | None = None
    _launchable: TaskDefinition | None = field(default=None, repr=False)

    def describe(self) -> dict[str, Any]:
        body = copy.deepcopy(self.body)
        body["status"] = self.status
        if self.delete_requested_at is not None:
            body["deleteRequestedAt"] = self.delete_requested_at
        return body

    def summary(self) -> dict[str, Any]:
        body: dict[str, Any] = {"arn": self.arn, "registeredAt": self.body["registeredAt"],
                                "registeredBy": self.body["registeredBy"], "status": self.status}
        if self.delete_requested_at is not None:
            body["deleteRequestedAt"] = self.delete_requested_at
        return body

    def launchable(self) -> TaskDefinition:
        """The definition as the task machinery (``launch.py``) reads one: containers named, host network mode.
        A container without a name is called after its position (``container-1``, ...): the fake's choice."""
        if self._launchable is None:
            containers = []
            for number, given in enumerate(self.body["containerDefinitions"], start=1):
                container = copy.deepcopy(given)
                container.setdefault("name", f"container-{number}")
                containers.append(container)
            body = {key: copy.deepcopy(value) for key, value in self.body.items() if key != "containerDefinitions"}
            body.update(containerDefinitions=containers, networkMode=NETWORK_MODE, status="ACTIVE",
                        compatibilities=["EC2", "MANAGED_INSTANCES"])
            self._launchable = TaskDefinition(arn=self.arn, family=self.family, revision=self.revision, body=body)
        return self._launchable


@dataclass(eq=False)
class DaemonRevision:
    """What a deployment rolls out: a snapshot of the daemon's configuration [M:DaemonRevision]."""

    arn: str
    daemon_arn: str
    cluster_arn: str
    definition: DaemonTaskDefinition
    capacity_providers: list[str]  # ARNs
    created_at: float
    propagate_tags: str
    enable_ecs_managed_tags: bool
    enable_execute_command: bool
    critical: bool

    def describe(self) -> dict[str, Any]:
        images = [{"containerName": c["name"], "image": c["image"],
                   "imageDigest": "sha256:" + _digest(c["image"])}
                  for c in self.definition.launchable().body["containerDefinitions"]]
        return {
            "daemonRevisionArn": self.arn,
            "clusterArn": self.cluster_arn,
            "daemonArn": self.daemon_arn,
            "daemonTaskDefinitionArn": self.definition.arn,
            "createdAt": self.created_at,
            "containerImages": images,
            "propagateTags": self.propagate_tags,
            "enableECSManagedTags": self.enable_ecs_managed_tags,
            "enableExecuteCommand": self.enable_execute_command,
            "critical": self.critical,
        }


def _digest(image: str) -> str:
    """A stable 64-hex digest per image name: the fake resolves no registry (as the task's imageDigest)."""
    import hashlib

    return hashlib.sha256(image.encode()).hexdigest()


@dataclass(eq=False)
class DaemonDeployment:
    arn: str
    id: str
    daemon_arn: str
    cluster_arn: str
    target: DaemonRevision | None  # None: the deployment DeleteDaemon triggers (it only drains)
    sources: list[DaemonRevision]
    configuration: dict[str, Any]
    created_at: float
    status: str = "PENDING"
    status_reason: str | None = None
    started_at: float | None = None
    stopped_at: float | None = None
    finished_at: float | None = None
    failure_count: int = 0
    rollback: dict[str, Any] | None = None
    next_batch_at: float = 0.0  # bake time: no instance is drained before this
    batch_open: bool = False  # a batch of instances is being rolled
    # Counts by revision ARN, provider ARN: (running, without daemon, draining), as last computed.
    counts: dict[str, dict[str, tuple[int, int, int]]] = field(default_factory=dict)

    @property
    def live(self) -> bool:
        return self.status in LIVE_DEPLOYMENT

    def _revision_detail(self, revision: DaemonRevision) -> dict[str, Any]:
        per = self.counts.get(revision.arn) or dict.fromkeys(revision.capacity_providers, (0, 0, 0))
        return {
            "arn": revision.arn,
            "capacityProviders": [{"arn": arn, "runningInstanceCount": r, "withoutDaemonInstanceCount": w,
                                   "drainingInstanceCount": d} for arn, (r, w, d) in per.items()],
            "totalRunningInstanceCount": sum(r for r, _, _ in per.values()),
            "totalWithoutDaemonInstanceCount": sum(w for _, w, _ in per.values()),
            "totalDrainingInstanceCount": sum(d for _, _, d in per.values()),
        }

    def describe(self) -> dict[str, Any]:
        alarms = self.configuration.get("alarms") or {}
        enabled = bool(alarms.get("enable"))
        monitoring = "MONITORING" if self.live else "MONITORING_COMPLETE"
        body: dict[str, Any] = {
            "daemonDeploymentArn": self.arn,
            "clusterArn": self.cluster_arn,
            "status": self.status,
            "sourceDaemonRevisions": [self._revision_detail(r) for r in self.sources],
            "circuitBreaker": {"failureCount": self.failure_count, "threshold": CIRCUIT_BREAKER_THRESHOLD,
                               "status": "TRIGGERED" if self.rollback else monitoring},
            "alarms": {"status": monitoring if enabled else "DISABLED",
                       "alarmNames": list(alarms.get("alarmNames", [])), "triggeredAlarmNames": []},
            "deploymentConfiguration": copy.deepcopy(self.configuration),
            "createdAt": self.created_at,
        }
        if self.target is not None:
            body["targetDaemonRevision"] = self._revision_detail(self.target)
        optional = {"statusReason": self.status_reason, "startedAt": self.started_at, "stoppedAt": self.stopped_at,
                    "finishedAt": self.finished_at, "rollback": copy.deepcopy(self.rollback)}
        body.update({k: v for k, v in optional.items() if v is not None})
        return body

    def summary(self) -> dict[str, Any]:
        body: dict[str, Any] = {"daemonDeploymentArn": self.arn, "daemonArn": self.daemon_arn,
                                "clusterArn": self.cluster_arn, "status": self.status, "createdAt": self.created_at}
        optional = {"statusReason": self.status_reason, "startedAt": self.started_at, "stoppedAt": self.stopped_at,
                    "finishedAt": self.finished_at,
                    "targetDaemonRevisionArn": self.target.arn if self.target is not None else None}
        body.update({k: v for k, v in optional.items() if v is not None})
        return body


# The circuit breaker's threshold: the API reference's DescribeDaemonDeployments sample shows 10.
CIRCUIT_BREAKER_THRESHOLD = 10


@dataclass(eq=False)
class Daemon:
    name: str
    arn: str
    cluster: Cluster
    created_at: float
    updated_at: float
    revision: DaemonRevision  # the latest: what the daemon runs once its deployment is done
    configuration: dict[str, Any]
    status: str = "ACTIVE"
    deployment: DaemonDeployment | None = None  # the most recent
    tasks: list[Task] = field(default_factory=list)  # its tasks not yet STOPPED, in launch order
    revisions: dict[str, DaemonRevision] = field(default_factory=dict)  # by task ARN: what each task runs
    client_token: str | None = None
    scheduled: float | None = None  # when the next rollout step is due, while one is

    @property
    def provider_arns(self) -> list[str]:
        return self.revision.capacity_providers

    def live_revisions(self) -> list[DaemonRevision]:
        """The revisions that have tasks, oldest first, then the latest (which a detail always shows)."""
        seen: dict[str, DaemonRevision] = {}
        for task in self.tasks:
            revision = self.revisions[task.arn]
            seen.setdefault(revision.arn, revision)
        seen.pop(self.revision.arn, None)
        return [*seen.values(), self.revision]

    def detail(self, counts: dict[str, dict[str, tuple[int, int]]]) -> dict[str, Any]:
        """DaemonDetail; ``counts``: by revision ARN, provider ARN → (running tasks, instances without one)."""
        current = []
        for revision in self.live_revisions():
            per = counts.get(revision.arn) or dict.fromkeys(revision.capacity_providers, (0, 0))
            current.append({
                "arn": revision.arn,
                "capacityProviders": [{"arn": arn, "runningCount": r, "withoutDaemonCount": w}
                                      for arn, (r, w) in per.items()],
                "totalRunningCount": sum(r for r, _ in per.values()),
                "totalWithoutDaemonCount": sum(w for _, w in per.values()),
            })
        body: dict[str, Any] = {"daemonArn": self.arn, "clusterArn": self.cluster.arn, "status": self.status,
                                "currentRevisions": current, "createdAt": self.created_at,
                                "updatedAt": self.updated_at}
        if self.deployment is not None:
            body["deploymentArn"] = self.deployment.arn
        return body

    def summary(self) -> dict[str, Any]:
        return {"daemonArn": self.arn, "status": self.status, "createdAt": self.created_at,
                "updatedAt": self.updated_at}


def daemon_arn(ctx: Context, cluster: str, name: str) -> str:
    return ctx.arn("ecs", f"daemon/{cluster}/{name}")


def parse_daemon_arn(ctx: Context, arn: str) -> tuple[str, str] | None:
    """(cluster name, daemon name) of a daemon ARN of this region and account, else None."""
    prefix = ctx.arn("ecs", "daemon/")
    if not arn.startswith(prefix):
        return None
    cluster, _, name = arn[len(prefix):].partition("/")
    return (cluster, name) if cluster and name and "/" not in name else None
