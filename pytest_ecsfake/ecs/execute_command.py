"""ECS Exec: ExecuteCommand.

A task launched with ``enableExecuteCommand`` shows the ``ExecuteCommandAgent`` managed agent on each of its
containers (``task_model.Container.exec_agent``), which follows the container on the fake clock: PENDING, then
RUNNING with it, STOPPED after. ExecuteCommand opens a session on a container whose agent is RUNNING and
answers the Session Manager session AWS would (its id, stream URL and token); nothing is executed, but each
session is kept on the task record (``Task.exec_sessions``) and the call record (``fake.calls_to(
"ExecuteCommand")``) holds the command. Choices where AWS is silent: ``docs/fidelity-exec.md``.
"""

from __future__ import annotations

import base64
from typing import Any

from ..core.context import Context
from ..core.errors import InvalidParameterException
from ..core.registry import handler
from .clusters import get_cluster
from .task_model import Container, Task
from .tasks import TASK_NOT_FOUND, find_task

# AWS's sentence for a task without ECS Exec, or whose agent is not running yet (or any more): seen with the
# typographic apostrophe in keidarcy/e1s#206 (2024) and alphagov/govuk-infrastructure docs/execute-commands.md,
# the latter also for a container that has not reached RUNNING.
NOT_ENABLED = (
    "The execute command failed because execute command was not enabled when the task was run or the execute "
    "command agent isn\u2019t running. Wait and try again or run a new task with execute command enabled and try "
    "again."
)
# "Amazon ECS only supports initiating interactive sessions, so you must specify true for this value."
# [M:ExecuteCommandResponse.interactive]; the sentence is the one the brief quotes as AWS's (no public
# observation found).
INTERACTIVE_ONLY = "Interactive is the only mode supported currently."
# A bare task id of another length: InvalidParameterException "task length should be one of [32,36]"
# (Mic-U/ecsher#56, 2021).
TASK_LENGTH = "task length should be one of [32,36]"


def stream_url(region: str, session_id: str) -> str:
    """Where the Session Manager plugin connects, as AWS answers it."""
    return f"wss://ssmmessages.{region}.amazonaws.com/v1/data-channel/{session_id}?role=publish_subscribe"


def _task(ctx: Context, req: dict[str, Any]) -> Task:
    cluster = get_cluster(ctx, req.get("cluster"))
    ref: str = req["task"]
    if not ref.startswith("arn:") and len(ref) not in (32, 36):
        raise InvalidParameterException(TASK_LENGTH)
    task = find_task(ctx, ref)
    if task is None or task.cluster.name != cluster.name:
        # StopTask's observed sentence; AWS's wording for ExecuteCommand is not confirmed.
        raise InvalidParameterException(TASK_NOT_FOUND)
    return task


def _container(task: Task, name: str | None) -> Container:
    if name is None:
        if len(task.containers) > 1:
            # Wording not confirmed: "A container name only needs to be specified for tasks containing multiple
            # containers." [M:ExecuteCommandRequest.container]
            raise InvalidParameterException(
                "The task has more than one container: specify the container to run the command in "
                f"({', '.join(c.name for c in task.containers)})."
            )
        return task.containers[0]
    for container in task.containers:
        if container.name == name:
            return container
    # Wording not confirmed.
    raise InvalidParameterException(f"The container {name} does not exist in the task.")


def _session(ctx: Context) -> dict[str, str]:
    ids = ctx.backend.ids
    # AWS's ids look like ecs-execute-command-0dfcb1f8c2e47585a (seen in CLI output quoted in public posts).
    session_id = "ecs-execute-command-0" + ids.hex32()[:16]
    # An opaque token: random bytes, base64, about the length of AWS's.
    raw = bytes.fromhex("".join(ids.hex32() for _ in range(12)))
    token = base64.b64encode(raw).decode()
    return {"sessionId": session_id, "streamUrl": stream_url(ctx.region, session_id), "tokenValue": token}


@handler("ecs", "ExecuteCommand")
def execute_command(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    task = _task(ctx, req)
    if not req["interactive"]:
        raise InvalidParameterException(INTERACTIVE_ONLY)
    container = _container(task, req.get("container"))
    if not task.enable_execute_command or container.exec_agent(task)["lastStatus"] != "RUNNING":
        raise InvalidParameterException(NOT_ENABLED)
    session = _session(ctx)
    task.exec_sessions.append(
        {"sessionId": session["sessionId"], "container": container.name, "command": req["command"], "at": ctx.now}
    )
    return {
        "clusterArn": task.cluster.arn,
        "containerArn": container.arn,
        "containerName": container.name,
        "interactive": True,
        "session": session,
        "taskArn": task.arn,
    }
