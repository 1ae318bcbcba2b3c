"""What a test reads of a fake (its ``EcsFake`` methods): the calls it answered, the state-change events it
emitted, the failure report, and ``inside()``, which runs code as if inside one of its tasks."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core.backend import Backend, Call


class Observing:
    _backend: Backend
    _origin: float

    # -- calls --------------------------------------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        """Every call the fake answered, in order: ``Call(service, operation, request, status, error,
        response, at)``; ``call.region`` is the region it went to; ``call.violations`` names the API
        reference's rules the request broke (``()`` for a clean one).
        Example: ``[c.operation for c in fake.calls] == ["CreateCluster"]``."""
        return self._backend.calls

    def calls_to(self, operation: str) -> list[Call]:
        """The calls of ``operation`` (``"RunTask"``, or ``"batch:TagResource"`` for one service), in order."""
        from ..diagnostics.calls import select

        return select(self._backend.calls, operation)

    def assert_called(self, operation: str, *, times: int | None = None, **request: Any) -> list[Call]:
        """Assert that ``operation`` was called with a request containing ``request`` (nested dicts by subset),
        ``times`` times when given; return the matching calls. The failure lists every call of ``operation``
        with what differs.

        Example: ``fake.assert_called("RunTask", cluster="jobs", launchType="FARGATE")``.
        """
        from ..diagnostics.calls import assert_called

        return assert_called(self._backend.calls, operation, times, request)

    def assert_not_called(self, operation: str) -> None:
        """Assert that ``operation`` was never called. Example: ``fake.assert_not_called("StopTask")``."""
        from ..diagnostics.calls import assert_not_called

        assert_not_called(self._backend.calls, operation)

    def report(self) -> str:
        """The text pytest shows in a failing test's ``ecsfake`` section: calls in order, task and job
        timelines, and their state-change events."""
        from ..diagnostics.report import render

        with self._backend.lock:
            return render(self._backend, self._origin)

    # -- state-change events ------------------------------------------------------------------------------
    @property
    def events(self) -> list[dict[str, Any]]:
        """Every state-change event the fake emitted, oldest first, as ECS and Batch send them to EventBridge
        ("ECS Task State Change", "ECS Container Instance State Change", "ECS Service Action", "ECS Deployment
        State Change", "Batch Job State Change"): ``event["detail-type"]``, ``event["detail"]``, ...
        Example: ``[e["detail"]["lastStatus"] for e in fake.events_for(task_arn)]``."""
        with self._backend.lock:
            self._backend.settle()
            return list(self._backend.state_events.all(self._backend))

    def events_for(self, arn: str) -> list[dict[str, Any]]:
        """The events about one task, job, container instance or service (its ARN, or a task/job id), in order."""
        from ..core.state_events import involving

        with self._backend.lock:
            self._backend.settle()
            emitted = self._backend.state_events.all(self._backend)
            if not arn.startswith("arn:"):
                arn = next((r for e in emitted for r in e["resources"] if r.rsplit("/", 1)[-1] == arn), arn)
            return involving(emitted, arn)

    # -- inside a task ------------------------------------------------------------------------------------
    def inside(self, task: str, *, container: str | None = None) -> AbstractContextManager[dict[str, str]]:
        """A context manager: code in the block runs as if inside ``container`` (default: the first) of
        ``task`` (a task ARN or id, or a Batch job id: its latest attempt's task). The container's environment
        and ``ECS_CONTAINER_METADATA_URI_V4``/``ECS_CONTAINER_METADATA_URI`` are set, and the task metadata
        endpoint answers there (a loopback server of this process) with the task as it is on the fake clock;
        yields the variables set. A subprocess started in the block inherits them and reaches the endpoint.

        Example::

            with ecs_fake.inside(task_arn):
                me = requests.get(os.environ["ECS_CONTAINER_METADATA_URI_V4"] + "/task").json()["TaskARN"]
        """
        from .inside import inside

        return inside(self, task, container)  # type: ignore[arg-type]
