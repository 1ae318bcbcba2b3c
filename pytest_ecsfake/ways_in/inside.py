"""``fake.inside(task)``: run code as if inside a container of a task of the fake.

For the ``with`` block: the container's environment (its definition's and the task's overrides' variables — a
Batch attempt's ``AWS_BATCH_*`` among them —, ``AWS_EXECUTION_ENV``, the region on Fargate) and
``ECS_CONTAINER_METADATA_URI_V4`` / ``ECS_CONTAINER_METADATA_URI`` (v3) are set in ``os.environ``, and a task
metadata endpoint answers at those URIs: the fake's own HTTP server (``fake.serve()``'s) on a free loopback port,
run by a thread of this process, so ``requests``, ``urllib``, ``http.client`` and a subprocess started in the
block all reach it (the fake passes loopback requests through). Its answers are the task as it is on the fake
clock at each request (``ecs/task_metadata.py``). On exit the variables are restored and the server stopped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..ecs.task_model import Container, Task
    from ..wire.protocol import HttpResponse
    from .fake import EcsFake


def _tasks(fake: EcsFake) -> Iterator[Task]:
    for state in fake._backend.regions.values():
        if state.ecs is not None:
            yield from state.ecs.tasks.values()


def _jobs(fake: EcsFake) -> Iterator[Any]:
    for state in fake._backend.regions.values():
        if state.batch is not None:
            yield from state.batch.jobs.values()


def find_task(fake: EcsFake, ref: str) -> Task:
    """The task ``ref`` names: a task ARN or id, or a Batch job's id or ARN (its latest attempt's task)."""
    for task in _tasks(fake):
        if ref in (task.arn, task.id):
            return task
    for job in _jobs(fake):
        if ref in (job.arn, job.id):
            if not job.attempts:
                raise LookupError(f"inside({ref!r}): the Batch job {job.id} has no attempt yet (it is {job.status}); "
                                  "advance the clock until it is STARTING or RUNNING")
            attempt_task: Task = job.attempts[-1].task
            return attempt_task
    raise LookupError(f"inside({ref!r}): no such task or Batch job in this fake (pass a task ARN or id from "
                      "RunTask/DescribeTasks, or a job id from SubmitJob)")


def _container(task: Task, name: str | None) -> Container:
    if name is None:
        return task.containers[0]
    for container in task.containers:
        if container.name == name:
            return container
    names = ", ".join(repr(c.name) for c in task.containers)
    raise LookupError(f"inside(container={name!r}): task {task.id} has no such container; its containers: {names}")


def _service_name(task: Task) -> str | None:
    return task.group[len("service:"):] if task.group.startswith("service:") else None


def _route(fake: EcsFake, task: Task, container: Container, prefix: str) -> Any:
    """The task metadata endpoint's paths under ``prefix`` (v3's ``/v3/`` answers as v4's), for the fake's
    server (``EcsFakeServer(route=...)``): anything else falls through to it."""
    from ..ecs import task_metadata as metadata
    from .server_admin import json_answer

    def route(method: str, path: str) -> HttpResponse | None:
        path = path.replace("/v3/", "/v4/", 1).rstrip("/")
        if method != "GET" or not path.startswith(prefix):
            return None
        backend = fake._backend
        with backend.lock:
            now = backend.settle()  # the task as it is now on the fake clock
            answers: dict[str, Any] = {
                prefix: lambda: metadata.container_metadata(task, container),
                f"{prefix}/task": lambda: metadata.task_metadata(task, _service_name(task)),
                f"{prefix}/stats": lambda: metadata.container_stats(task, container, now),
                f"{prefix}/task/stats": lambda: metadata.task_stats(task, now),
            }
            answer = answers.get(path)
            if answer is None:
                return json_answer(404, {"message": f"pytest-ecsfake's task metadata endpoint has no {path}"})
            return json_answer(200, answer())

    return route


@contextmanager
def inside(fake: EcsFake, ref: str, container: str | None = None) -> Iterator[dict[str, str]]:
    from ..ecs import task_metadata as metadata
    from .server import serving

    with fake._backend.lock:
        fake._backend.settle()
        task = find_task(fake, ref)
        chosen = _container(task, container)
        token = f"{task.id}-{task.containers.index(chosen)}"
        variables = metadata.environment(task, chosen)
    with serving(fake, route=_route(fake, task, chosen, f"/v4/{token}")) as base:
        variables.update(ECS_CONTAINER_METADATA_URI_V4=f"{base}/v4/{token}",
                         ECS_CONTAINER_METADATA_URI=f"{base}/v3/{token}")
        saved = {name: os.environ.get(name) for name in variables}
        os.environ.update(variables)
        try:
            yield dict(variables)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
