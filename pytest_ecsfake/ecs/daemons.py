"""CreateDaemon, UpdateDaemon, DeleteDaemon, DescribeDaemon, ListDaemons: ECS Managed Daemons, one task on each
container instance of the daemon's capacity providers [M:CreateDaemon].

Not services' ``schedulingStrategy: DAEMON`` (``daemon.py``). Each create or update records a daemon revision
and starts a deployment; ``daemon_rollout.py`` runs them on the fake clock. Choices where AWS is silent, and how
the fake stands in for Managed Instances capacity providers: docs/fidelity-daemons.md.
"""

from __future__ import annotations

import copy
import re
import string
from typing import Any

from ..core.context import Context
from ..core.errors import AwsError, ClusterNotFoundException, InvalidParameterException
from ..core.paging import page, with_token
from ..core.registry import handler
from .capacity_providers import FARGATE_PROVIDERS, NOT_FOUND, find_provider, provider_name
from .clusters import get_cluster
from .daemon_model import (
    Daemon,
    DaemonDeployment,
    DaemonRevision,
    DaemonTaskDefinition,
    daemon_arn,
    parse_daemon_arn,
)
from .daemon_rollout import (
    DEFAULT_DRAIN_PERCENT,
    DEPLOYMENT_START,
    REPLACED,
    at_time,
    counts,
    follow_instances,
    soon,
)
from .daemon_task_definitions import resolve_daemon_task_definition
from .tags import resolver, set_tags

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")  # [M:CreateDaemonRequest.daemonName]
# Not confirmed: AWS's words for these are not quoted anywhere we found; they follow the service ones
# ("Service not found.", "Service was not ACTIVE.", "Creation of service was not idempotent.").
NOT_FOUND_DAEMON = "Daemon not found."
NOT_ACTIVE = "Daemon was not ACTIVE."
NOT_IDEMPOTENT = "Creation of daemon was not idempotent."
MANAGED_INSTANCES_ONLY = ("ECS Managed Daemons is only supported for Amazon ECS Managed Instances Capacity "
                          "Providers [M:CreateDaemon]; the fake runs daemons on Auto Scaling group providers")
NOT_ASSOCIATED = "the daemon's capacity providers are associated with its cluster [DG:managed-daemons-create-manage]"
_ID_CHARS = string.ascii_letters + string.digits


class DaemonNotFoundException(AwsError):
    code = "DaemonNotFoundException"


class DaemonNotActiveException(AwsError):
    code = "DaemonNotActiveException"


def _providers(ctx: Context, refs: list[str], cluster_name: str) -> list[str]:
    """The capacity providers' ARNs. An unknown one is refused; FARGATE/FARGATE_SPOT and Auto Scaling group
    providers are answered and recorded (only Managed Instances providers are supported by AWS, which the fake
    does not have), as is a provider not associated with the cluster."""
    if not refs:
        # Not confirmed: the wording is the fake's.
        raise InvalidParameterException("At least one capacity provider must be specified for a daemon.")
    arns: list[str] = []
    for ref in refs:
        name = provider_name(ctx, ref)
        provider = find_provider(ctx, name)
        if provider is None and name not in FARGATE_PROVIDERS:
            raise InvalidParameterException(NOT_FOUND)
        ctx.documented(MANAGED_INSTANCES_ONLY)
        cluster = ctx.ecs.clusters.get(cluster_name)
        if cluster is not None and name not in cluster.capacity_providers:
            ctx.documented(NOT_ASSOCIATED)
        arn = ctx.arn("ecs", f"capacity-provider/{name}")
        if arn not in arns:
            arns.append(arn)
    return arns


def _configuration(given: dict[str, Any] | None, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """DaemonDeploymentConfiguration with its defaults: drainPercent 25 (the console's), bakeTimeInMinutes 0 and
    alarms off [M:DaemonDeploymentConfiguration]."""
    merged: dict[str, Any] = copy.deepcopy(base) if base else {
        "drainPercent": DEFAULT_DRAIN_PERCENT, "bakeTimeInMinutes": 0, "alarms": {"alarmNames": [], "enable": False}}
    for key, value in (given or {}).items():
        merged[key] = copy.deepcopy(value)
    alarms = merged["alarms"]
    alarms.setdefault("alarmNames", [])
    alarms.setdefault("enable", False)
    return merged


def _new_id(ctx: Context, size: int) -> str:
    return "".join(ctx.backend.ids.choice(list(_ID_CHARS)) for _ in range(size))


def _revision(ctx: Context, daemon_ref: str, cluster: str, name: str, definition: DaemonTaskDefinition,
              providers: list[str], settings: dict[str, Any]) -> DaemonRevision:
    # 19 digits, as the API reference's samples (4980306466373577095).
    number = ctx.backend.ids.choice(list("123456789")) + "".join(
        ctx.backend.ids.choice(list(string.digits)) for _ in range(18))
    revision = DaemonRevision(
        arn=ctx.arn("ecs", f"daemon-revision/{cluster}/{name}/{number}"), daemon_arn=daemon_ref,
        cluster_arn=ctx.arn("ecs", f"cluster/{cluster}"), definition=definition, capacity_providers=providers,
        created_at=ctx.now, propagate_tags=settings.get("propagateTags") or "NONE",
        enable_ecs_managed_tags=bool(settings.get("enableECSManagedTags")),
        enable_execute_command=bool(settings.get("enableExecuteCommand")),
        critical=settings.get("critical", True) is not False,
    )
    ctx.ecs.daemon_revisions[revision.arn] = revision
    return revision


def _deploy(ctx: Context, daemon: Daemon, target: DaemonRevision | None) -> DaemonDeployment:
    """A new deployment of ``daemon`` (``target`` None: DeleteDaemon's drain); a live one it replaces stops."""
    previous = daemon.deployment
    if previous is not None and previous.live:
        previous.status, previous.status_reason, previous.stopped_at = "STOPPED", REPLACED, ctx.now
    ident = _new_id(ctx, 16)
    sources = [r for r in daemon.live_revisions() if r is not target and any(
        daemon.revisions[t.arn] is r for t in daemon.tasks)]
    deployment = DaemonDeployment(
        arn=ctx.arn("ecs", f"daemon-deployment/{daemon.cluster.name}/{daemon.name}/{ident}"), id=ident,
        daemon_arn=daemon.arn, cluster_arn=daemon.cluster.arn, target=target, sources=sources,
        configuration=copy.deepcopy(daemon.configuration), created_at=ctx.now,
    )
    ctx.ecs.daemon_deployments[deployment.arn] = deployment
    daemon.deployment = deployment
    at_time(ctx.backend, ctx.region, daemon, ctx.now + DEPLOYMENT_START)
    return deployment


@handler("ecs", "CreateDaemon")
def create_daemon(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("clusterArn"))
    name = req["daemonName"]
    if not _NAME.match(name):
        # Not confirmed: the rule is the model's, the wording the fake's.
        raise InvalidParameterException("Daemon name can have up to 255 letters (uppercase and lowercase), "
                                        "numbers, underscores, and hyphens.")
    arn = daemon_arn(ctx, cluster.name, name)
    existing = ctx.ecs.daemons.get(arn)
    if existing is not None and existing.cluster is not cluster:
        ctx.ecs.daemons.pop(arn)  # the daemon of a deleted cluster of that name
        existing = None
    token = req.get("clientToken")
    if existing is not None:
        if token and existing.client_token == token:
            return _answer(existing, with_deployment=True, created_only=True)
        raise InvalidParameterException(NOT_IDEMPOTENT)
    definition = resolve_daemon_task_definition(ctx, req["daemonTaskDefinitionArn"])
    providers = _providers(ctx, req["capacityProviderArns"], cluster.name)
    revision = _revision(ctx, arn, cluster.name, name, definition, providers, req)
    daemon = Daemon(name=name, arn=arn, cluster=cluster, created_at=ctx.now, updated_at=ctx.now, revision=revision,
                    configuration=_configuration(req.get("deploymentConfiguration")), client_token=token)
    set_tags(ctx, arn, req.get("tags", []), replace=True)
    ctx.ecs.daemons[arn] = daemon
    _deploy(ctx, daemon, revision)
    follow_instances(ctx.backend, ctx.region, daemon)
    return _answer(daemon, with_deployment=True, created_only=True)


def _answer(daemon: Daemon, *, with_deployment: bool, created_only: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"daemonArn": daemon.arn, "status": daemon.status, "createdAt": daemon.created_at}
    if not created_only:
        body["updatedAt"] = daemon.updated_at
    if with_deployment and daemon.deployment is not None:
        body["deploymentArn"] = daemon.deployment.arn
    return body


def find_daemon(ctx: Context, arn: str) -> Daemon:
    """The daemon an ARN names: its cluster must exist (ClusterNotFoundException), the daemon too."""
    parsed = parse_daemon_arn(ctx, arn)
    if parsed is None:
        # Not confirmed: the wording is the fake's.
        raise InvalidParameterException(f"Invalid daemon ARN: {arn}. Expected {ctx.arn('ecs', 'daemon/')}"
                                        "<cluster>/<daemon name>.")
    cluster = ctx.ecs.clusters.get(parsed[0])
    if cluster is None or cluster.status != "ACTIVE":
        raise ClusterNotFoundException("Cluster not found.")
    daemon: Daemon | None = ctx.ecs.daemons.get(arn)
    if daemon is None or daemon.cluster is not cluster:
        raise DaemonNotFoundException(NOT_FOUND_DAEMON)
    return daemon


@handler("ecs", "UpdateDaemon")
def update_daemon(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """A new revision and a deployment that rolls every task to it. ``propagateTags``, ``enableECSManagedTags``
    and ``enableExecuteCommand`` not given take their defaults again, as in a create ("If you don't specify a
    value, the tags aren't propagated" [M:UpdateDaemonRequest.propagateTags]); ``critical`` and the
    ``deploymentConfiguration`` members not given are kept."""
    daemon = find_daemon(ctx, req["daemonArn"])
    if daemon.status != "ACTIVE":
        raise DaemonNotActiveException(NOT_ACTIVE)
    definition = resolve_daemon_task_definition(ctx, req["daemonTaskDefinitionArn"])
    providers = _providers(ctx, req["capacityProviderArns"], daemon.cluster.name)
    settings = dict(req)
    if "critical" not in req:
        settings["critical"] = daemon.revision.critical  # the model: a BoxedBoolean, kept when not given
    daemon.revision = _revision(ctx, daemon.arn, daemon.cluster.name, daemon.name, definition, providers, settings)
    daemon.configuration = _configuration(req.get("deploymentConfiguration"), daemon.configuration)
    daemon.updated_at = ctx.now
    _deploy(ctx, daemon, daemon.revision)
    soon(ctx.backend, ctx.region, daemon, ctx.now)
    return _answer(daemon, with_deployment=True)


@handler("ecs", "DeleteDaemon")
def delete_daemon(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """DELETE_IN_PROGRESS and a deployment that stops every daemon task; once they are STOPPED the deployment is
    SUCCESSFUL and the daemon is gone (DaemonNotFoundException). Its revisions and deployments stay describable."""
    daemon = find_daemon(ctx, req["daemonArn"])
    if daemon.status != "ACTIVE":
        raise DaemonNotActiveException(NOT_ACTIVE)
    daemon.status = "DELETE_IN_PROGRESS"
    daemon.updated_at = ctx.now
    _deploy(ctx, daemon, None)
    return _answer(daemon, with_deployment=True)


@handler("ecs", "DescribeDaemon")
def describe_daemon(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    daemon = find_daemon(ctx, req["daemonArn"])
    return {"daemon": daemon.detail(counts(ctx, daemon))}


@handler("ecs", "ListDaemons")
def list_daemons(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """The daemons of a cluster (default: ``default``) in creation order; with ``capacityProviderArns``, those
    associated with any of them."""
    cluster = get_cluster(ctx, req.get("clusterArn"))
    wanted = {ctx.arn("ecs", f"capacity-provider/{provider_name(ctx, ref)}")
              for ref in req.get("capacityProviderArns") or []}
    found = [d for d in ctx.ecs.daemons.values()
             if d.cluster is cluster and (not wanted or wanted & set(d.provider_arns))]
    chunk, token = page(found, req, "ListDaemons", InvalidParameterException)
    return with_token({"daemonSummariesList": [d.summary() for d in chunk]}, token)


@resolver("daemon")
def _daemon_exists(ctx: Context, rest: str) -> bool:
    return ctx.arn("ecs", f"daemon/{rest}") in ctx.ecs.daemons
