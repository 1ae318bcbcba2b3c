"""RegisterDaemonTaskDefinition, DescribeDaemonTaskDefinition, DeleteDaemonTaskDefinition,
ListDaemonTaskDefinitions, and ``resolve_daemon_task_definition`` for CreateDaemon and UpdateDaemon.

A daemon task definition is its own resource, with its own revisions, beside task definitions
[M:RegisterDaemonTaskDefinition]: ``daemon-task-definition/<family>:<revision>``. Statuses ACTIVE →
DELETE_IN_PROGRESS → DELETED [M:DaemonTaskDefinitionStatus]; a DELETED revision stays describable (the waiter
DaemonTaskDefinitionDeleted reads that status). Choices: docs/fidelity-daemons.md.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ..core.backend import Backend
from ..core.context import Context
from ..core.errors import ClientException, InvalidParameterException
from ..core.paging import page, with_token
from ..core.registry import handler
from .daemon_model import DaemonTaskDefinition
from .tags import resolver, set_tags

_FAMILY = re.compile(r"^[A-Za-z0-9_-]{1,255}$")  # [M:RegisterDaemonTaskDefinitionRequest.family]
# Not confirmed: AWS's words for these are not quoted anywhere we found; they follow the task definition ones
# (FIDELITY.md: "TaskDefinition not found." / "Unable to describe task definition.").
NOT_FOUND = "DaemonTaskDefinition not found."
UNABLE_TO_DESCRIBE = "Unable to describe daemon task definition."
NOT_ACTIVE = "The daemon task definition is not in an ACTIVE state and cannot be deleted."
# How often a DELETE_IN_PROGRESS revision still in use is checked again (seconds of fake time).
RECHECK = 30.0


def _families(ctx: Context) -> dict[str, list[DaemonTaskDefinition]]:
    families: dict[str, list[DaemonTaskDefinition]] = ctx.ecs.daemon_families
    return families


@handler("ecs", "RegisterDaemonTaskDefinition")
def register_daemon_task_definition(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    family = req["family"]
    if not _FAMILY.match(family):
        # The model's rule, taken as enforced as RegisterTaskDefinition's is, in that refusal's observed words
        # (aws/amazon-ecs-cli#37); the rule itself goes on the call record.
        error = ClientException("Family contains invalid characters.")
        error.violations = ("family: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens",)
        raise error
    if not req["containerDefinitions"]:
        # Not confirmed: the wording follows RegisterTaskDefinition's.
        raise ClientException("Container list cannot be empty.")
    names = [c["name"] for c in req["containerDefinitions"] if c.get("name")]
    if len(names) != len(set(names)):
        # Not confirmed: container names are unique within a definition, as in task definitions.
        raise ClientException("Container names must be unique within a daemon task definition.")
    revisions = _families(ctx).setdefault(family, [])
    revision = len(revisions) + 1
    arn = ctx.arn("ecs", f"daemon-task-definition/{family}:{revision}")
    body: dict[str, Any] = {"daemonTaskDefinitionArn": arn, "family": family, "revision": revision,
                            "containerDefinitions": copy.deepcopy(req["containerDefinitions"])}
    for key in ("taskRoleArn", "executionRoleArn", "cpu", "memory", "pidMode", "ipcMode"):
        if key in req:
            body[key] = req[key]
    if "volumes" in req:
        body["volumes"] = copy.deepcopy(req["volumes"])
    body["registeredAt"] = ctx.now
    body["registeredBy"] = f"arn:aws:iam::{ctx.account_id}:root"  # as RegisterTaskDefinition's
    definition = DaemonTaskDefinition(arn=arn, family=family, revision=revision, body=body)
    set_tags(ctx, arn, req.get("tags", []), replace=True)
    revisions.append(definition)
    return {"daemonTaskDefinitionArn": arn}


def find_daemon_task_definition(ctx: Context, ref: str, *, latest_active: bool = True) -> DaemonTaskDefinition | None:
    """A revision by ``family:revision`` or ARN (any status); by ``family`` alone, the latest ACTIVE one."""
    prefix = ctx.arn("ecs", "daemon-task-definition/")
    if ref.startswith("arn:"):
        if not ref.startswith(prefix):
            return None
        ref = ref[len(prefix):]
    family, _, number = ref.partition(":")
    revisions = _families(ctx).get(family, [])
    if not number:
        if not latest_active:
            return None
        active = [d for d in revisions if d.status == "ACTIVE"]
        return active[-1] if active else None
    if not number.isdigit() or not 1 <= int(number) <= len(revisions):
        return None
    return revisions[int(number) - 1]


def resolve_daemon_task_definition(ctx: Context, ref: str) -> DaemonTaskDefinition:
    """The revision a new daemon or an update uses: it must exist and be ACTIVE ("After a daemon task definition
    is deleted, no new daemons can be created using this definition" [M:DeleteDaemonTaskDefinition])."""
    definition = find_daemon_task_definition(ctx, ref)
    if definition is None:
        raise ClientException(NOT_FOUND)
    if definition.status != "ACTIVE":
        # Not confirmed: RunTask's observed sentence for an INACTIVE task definition, for daemons.
        raise InvalidParameterException("DaemonTaskDefinition is inactive")
    return definition


@handler("ecs", "DescribeDaemonTaskDefinition")
def describe_daemon_task_definition(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    definition = find_daemon_task_definition(ctx, req["daemonTaskDefinition"])
    if definition is None:
        raise ClientException(UNABLE_TO_DESCRIBE)
    return {"daemonTaskDefinition": definition.describe()}


def _in_use(ctx: Context, definition: DaemonTaskDefinition) -> bool:
    """A daemon not yet gone targets it, or a daemon task from it has not stopped yet."""
    for daemon in ctx.ecs.daemons.values():
        if daemon.revision.definition is definition:
            return True
        if any(daemon.revisions[t.arn].definition is definition for t in daemon.tasks):
            return True
    return False


def _finish_delete(backend: Backend, region: str, definition: DaemonTaskDefinition, due: float) -> None:
    def check(at: float) -> None:
        if definition.status != "DELETE_IN_PROGRESS":
            return
        ctx = Context(backend, "ecs", "DaemonTaskDefinitionDeletion", region, at)
        if _in_use(ctx, definition):
            backend.events.schedule(at + RECHECK, check)
            return
        definition.status = "DELETED"

    backend.events.schedule(due, check)


@handler("ecs", "DeleteDaemonTaskDefinition")
def delete_daemon_task_definition(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """DELETE_IN_PROGRESS at once; DELETED after the timing ``task_definition_delete``, or, while a daemon or
    one of its tasks still uses the revision, once a check (every 30 s) finds it unused. Existing daemons that
    use it keep running [M:DeleteDaemonTaskDefinition]."""
    ref = req["daemonTaskDefinition"]
    definition = find_daemon_task_definition(ctx, ref, latest_active=False)
    if definition is None:
        if ":" not in ref.rsplit("/", 1)[-1]:
            # Not confirmed: the reference asks for family:revision or an ARN [M:...daemonTaskDefinition].
            raise ClientException("The daemon task definition must be specified as family:revision or a full ARN.")
        raise ClientException(NOT_FOUND)
    if definition.status != "ACTIVE":
        raise ClientException(NOT_ACTIVE)
    definition.status = "DELETE_IN_PROGRESS"
    definition.delete_requested_at = ctx.now
    _finish_delete(ctx.backend, ctx.region, definition, ctx.now + ctx.backend.timings["task_definition_delete"])
    return {"daemonTaskDefinitionArn": definition.arn}


_STATUSES = {"ACTIVE": ("ACTIVE",), "DELETE_IN_PROGRESS": ("DELETE_IN_PROGRESS",),
             "ALL": ("ACTIVE", "DELETE_IN_PROGRESS", "DELETED")}


@handler("ecs", "ListDaemonTaskDefinitions")
def list_daemon_task_definitions(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """Families in name order, revisions ascending (``sort=DESC`` reverses both); ``status`` ACTIVE by default,
    ALL includes DELETED revisions; ``revision=LAST_REGISTERED``: the highest matching revision of each family."""
    statuses = _STATUSES[req.get("status", "ACTIVE")]
    family, prefix = req.get("family"), req.get("familyPrefix")
    found: list[DaemonTaskDefinition] = []
    for name in sorted(_families(ctx)):
        if family is not None and name != family:
            continue
        if prefix is not None and not name.startswith(prefix):
            continue
        matching = [d for d in _families(ctx)[name] if d.status in statuses]
        if req.get("revision") == "LAST_REGISTERED":
            matching = matching[-1:]
        found.extend(matching)
    if req.get("sort") == "DESC":
        found.reverse()
    chunk, token = page(found, req, "ListDaemonTaskDefinitions", InvalidParameterException)
    return with_token({"daemonTaskDefinitions": [d.summary() for d in chunk]}, token)


@resolver("daemon-task-definition")
def _daemon_task_definition_exists(ctx: Context, rest: str) -> bool:
    definition = find_daemon_task_definition(ctx, rest, latest_active=False)
    return definition is not None and definition.status != "DELETED"
