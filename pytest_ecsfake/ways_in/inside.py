"""``fake.inside(task)``: run code as if inside a container of a task of the fake.

For the ``with`` block: the container's environment (its definition's and the task's overrides' variables — a
Batch attempt's ``AWS_BATCH_*`` among them —, ``AWS_EXECUTION_ENV``, the region on Fargate) and
``ECS_CONTAINER_METADATA_URI_V4`` / ``ECS_CONTAINER_METADATA_URI`` (v3) are set in ``os.environ``, and a task
metadata endpoint answers at those URIs: an HTTP server on a free loopback port, run by a thread of this
process (so ``requests``, ``urllib``, ``http.client`` and a subprocess started in the block all reach it; the
fake passes loopback requests through). Its answers are the task as it is on the fake clock at each request
(``ecs/task_metadata.py``). On exit the variables are restored and the server stopped.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..ecs.task_model import Container, Task
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


def _handler(fake: EcsFake, task: Task, container: Container, prefix: str) -> type[BaseHTTPRequestHandler]:
    from ..ecs import task_metadata as metadata

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = self.path.split("?", 1)[0].rstrip("/")
            backend = fake._backend
            with backend.lock:
                now = backend.settle()  # the task as it is now on the fake clock
                answers: dict[str, Any] = {
                    prefix: lambda: metadata.container_metadata(task, container),
                    f"{prefix}/task": lambda: metadata.task_metadata(task, _service_name(task)),
                    f"{prefix}/stats": lambda: metadata.container_stats(task, container, now),
                    f"{prefix}/task/stats": lambda: metadata.task_stats(task, now),
                }
                answer = answers.get(path.replace("/v3/", "/v4/", 1))
                body = None if answer is None else answer()
            if answer is None:
                self._send(404, {"message": f"pytest-ecsfake's task metadata endpoint has no {self.path}"})
            else:
                self._send(200, body)

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's signature)
            return  # no noise on stderr

    return Handler


@contextmanager
def inside(fake: EcsFake, ref: str, container: str | None = None) -> Iterator[dict[str, str]]:
    from ..ecs import task_metadata as metadata

    with fake._backend.lock:
        fake._backend.settle()
        task = find_task(fake, ref)
        chosen = _container(task, container)
        token = f"{task.id}-{task.containers.index(chosen)}"
        variables = metadata.environment(task, chosen)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake, task, chosen, f"/v4/{token}"))
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    variables.update(ECS_CONTAINER_METADATA_URI_V4=f"{base}/v4/{token}",
                     ECS_CONTAINER_METADATA_URI=f"{base}/v3/{token}")
    thread = threading.Thread(target=server.serve_forever, name="ecsfake-task-metadata", daemon=True)
    thread.start()
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
        server.shutdown()
        server.server_close()
        thread.join()
