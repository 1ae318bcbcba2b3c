"""DeleteTaskDefinitions: an INACTIVE revision becomes DELETE_IN_PROGRESS at once, then is gone on the fake's
clock (the timing ``task_definition_delete``) once no task or service uses it [M:DeleteTaskDefinitions].

A revision being deleted is still described (status DELETE_IN_PROGRESS), listed with
``ListTaskDefinitions(status="DELETE_IN_PROGRESS")`` and keeps its family listed; launching from it is refused
as from any revision that is not ACTIVE (``launch.require_active``), while the tasks and services already
using it carry on. Once gone, no operation finds it, and the family's next revision number still counts it.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ..core.context import Context
from ..core.registry import handler
from .state import EcsState, TaskDefinition
from .task_definitions import find_task_definition

if TYPE_CHECKING:
    from ..core.backend import Backend

# AWS's reasons, as moto's tests quote them (getmoto/moto, tests/test_ecs, test_delete_task_definitions*); not
# seen in an answer of AWS's here.
STILL_ACTIVE = "The specified task definition is still in ACTIVE status. Please deregister the target and try again."
INVALID_IDENTIFIER = "The specified task definition identifier is invalid. Specify a valid name or ARN and try again."
DOES_NOT_EXIST = ("The specified task definition does not exist. "
                  "Specify a valid account, family, revision and try again.")


def _has_revision(ref: str) -> bool:
    """``family:revision`` or a task-definition ARN with its revision: "You must specify a revision"."""
    _, colon, revision = ref.rpartition("/")[2].partition(":")
    return bool(colon) and revision.isdigit()


def in_use(state: EcsState, definition: TaskDefinition) -> bool:
    """A task not yet STOPPED, or a service not yet INACTIVE with a deployment of it, uses the revision."""
    if any(t.definition is definition and t.last_status != "STOPPED" for t in state.tasks.values()):
        return True
    return any(
        s.status != "INACTIVE" and any(d.definition is definition for d in s.deployments)
        for s in state.services.values()
    )


def _finish_later(backend: Backend, state: EcsState, definition: TaskDefinition, at: float) -> None:
    delay = backend.timings["task_definition_delete"]

    def finish(now: float) -> None:
        if definition.deleted or definition.status != "DELETE_IN_PROGRESS":
            return
        if in_use(state, definition):
            # "A task definition revision will stay in DELETE_IN_PROGRESS status until all the associated tasks
            # and services have been terminated" [M:DeleteTaskDefinitions]: look again later.
            backend.events.schedule(now + max(delay, 1.0), finish)
            return
        definition.deleted = True
        state.tags.pop(definition.arn, None)
        backend.changed()

    backend.events.schedule(at + delay, finish)


@handler("ecs", "DeleteTaskDefinitions")
def delete_task_definitions(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """Each revision asked for is deleted or answered as a failure, per ARN (up to 10: a schema rule)."""
    deleted: list[dict[str, Any]] = []
    failures: list[dict[str, str]] = []
    for ref in req["taskDefinitions"]:
        if not _has_revision(ref):
            failures.append({"arn": ref, "reason": INVALID_IDENTIFIER})
            continue
        definition = find_task_definition(ctx, ref)
        if definition is None:
            failures.append({"arn": ref, "reason": DOES_NOT_EXIST})
            continue
        if definition.status == "ACTIVE":
            failures.append({"arn": definition.arn, "reason": STILL_ACTIVE})
            continue
        if definition.status == "INACTIVE":
            definition.body["status"] = "DELETE_IN_PROGRESS"
            definition.body["deleteRequestedAt"] = ctx.now
            _finish_later(ctx.backend, ctx.ecs, definition, ctx.now)
        # Asked again while DELETE_IN_PROGRESS: answered as deleted once more (the fake's choice).
        deleted.append(copy.deepcopy(definition.body))
    return {"taskDefinitions": deleted, "failures": failures}
