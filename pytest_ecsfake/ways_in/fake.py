"""``EcsFake``: the handle a test holds. A context manager (sync and async) and a decorator."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, TypeVar

from ..core.backend import Backend, Fault
from ..core.behavior import make_behavior
from ..core.clock import from_epoch, parse_start, peek, seconds_of
from ..core.context import Context
from ..core.errors import README_ERRORS, FakeBugError
from ..wire.protocol import HttpRequest, HttpResponse
from .decorating import decorate
from .fake_time import sleep
from .observing import Observing
from .options import README_BEHAVIORS, README_OPTIONS, check_options, check_tick, explained, merged

DEFAULT_START = "2025-01-01T00:00:00Z"
T = TypeVar("T")

# Besides freezegun's own list, these modules keep real time: they measure waits in wall time.
# Not "_pytest": freezegun answers real time to any caller with an ignored module a few frames up the stack,
# and every test body is called from _pytest, so user code would see real time.monotonic() (a regression
# test in tests/test_clock.py). The price: pytest's --durations reads frozen time while a fake is active.
_FREEZEGUN_IGNORE = ["subprocess", "selectors", "socketserver", "http.server", "concurrent.futures"]


class EcsFake(Observing):
    """An in-memory ECS and Batch that answers every botocore ECS/Batch call while active.

    Example::

        with EcsFake() as fake:
            ecs = boto3.client("ecs", region_name="us-east-1")
            ecs.create_cluster(clusterName="jobs")
            fake.advance(60)

    Also a decorator: ``@EcsFake(region="eu-west-1")`` on a function, coroutine or test class gives every
    call (every test method) a fresh fake with these options.

    While the clock is frozen, ``time.sleep`` (every binding of it) and ``asyncio.sleep`` in the thread that
    started the fake advance it instead of waiting; sleeps in other threads never move it. ``tick=True`` lets
    fake time also flow with wall time; ``tick=<seconds>`` moves it at every clock read by the code under
    test, for loops that wait on the clock without sleeping (README, "The clock").
    """

    def __init__(
        self,
        *,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        start: str | datetime = DEFAULT_START,
        freeze: bool = True,
        stop_timeout: float = 30.0,
        strict: bool = False,
        timings: Mapping[str, float] | None = None,
        seed: int = 0,
        tick: bool | float = False,
    ) -> None:
        with explained(README_OPTIONS):
            check_options(region, account_id, stop_timeout, seed)
            check_tick(tick, freeze)
            self._start_at = parse_start(start)
            self._timings = merged(timings)
        self._options: dict[str, Any] = {
            "region": region,
            "account_id": account_id,
            "start": start,
            "freeze": bool(freeze),
            "stop_timeout": float(stop_timeout),
            "strict": bool(strict),
            "timings": dict(timings) if timings else None,
            "seed": seed,
            "tick": tick,
        }
        self._adopt_frozen_time = start is DEFAULT_START
        self._freeze = bool(freeze)
        self._tick = tick
        self._backend = Backend(
            region=region,
            account_id=account_id,
            seed=seed,
            stop_timeout=float(stop_timeout),
            timings=self._timings,
            validate_responses=os.environ.get("ECSFAKE_VALIDATE_RESPONSES") == "1",
            strict=bool(strict),
        )
        self._freezer: Any = None
        self._thread = 0  # the thread that activated this fake: it drives the clock by sleeping
        self._active = False
        self._started = False  # activated at least once
        self._origin = self._start_at.timestamp()  # fake time at activation: the report's zero

    # -- identity -----------------------------------------------------------------------------------------
    @property
    def region(self) -> str:
        return self._backend.region

    @property
    def account_id(self) -> str:
        return self._backend.account_id

    def __repr__(self) -> str:
        state = "active" if self._active else "inactive"
        return f"<EcsFake {state} region={self.region} account_id={self.account_id}>"

    @property
    def strict(self) -> bool:
        """Whether a request rejected by its schema also fails the test at teardown."""
        return self._backend.strict

    # -- clock --------------------------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        """The fake clock as an aware UTC datetime (before the first activation: ``start``)."""
        if not self._active and not self._started:
            return self._start_at
        return from_epoch(self._backend.clock.now())

    def advance(self, seconds: float | timedelta) -> datetime:
        """Move the fake clock forward and apply every transition due by then; return the new ``now``.

        Example: ``fake.advance(30)`` or ``fake.advance(timedelta(minutes=5))``.
        """
        if not self._active:
            raise RuntimeError(f"advance() on {self!r}: start it first (`with EcsFake() as fake:`, `fake.start()`, "
                               "or the ecs_fake fixture)")
        amount = seconds_of(seconds)
        backend = self._backend
        with backend.lock:
            backend.clock.advance(amount)
            backend.settle()
        sleep.clock_moved()  # other threads' sleeps wait for the fake clock
        return self.now

    # -- behaviours and infrastructure -----------------------------------------------------------------------
    def behavior(self, match: str, *, runs_for: float | None = None, exit_code: int = 0, stop_takes: float = 0.0,
                 ignores_sigterm: bool = False, pull_error: str | None = None,
                 logs: Sequence[str | tuple[float, str]] | None = None, sigterm_exit_code: int = 143) -> None:
        """How containers whose image (exact string) or container name equals ``match`` behave, in ECS tasks
        and Batch jobs launched from now on.

        ``runs_for``: seconds until the container exits by itself with ``exit_code`` (None: runs until
        stopped). On SIGTERM it exits with ``sigterm_exit_code`` after ``stop_takes`` seconds: 143 by default
        (128 + 15, a process without a SIGTERM handler dies of the signal), 0 for an app that handles SIGTERM
        and exits cleanly; unless ``ignores_sigterm`` or ``stop_takes`` >= the stop timeout: then SIGKILL at
        the timeout, exit code 137. ``pull_error``: the
        image pull fails (the task stops with TaskFailedToStart, "CannotPullContainerError: <message>").
        ``logs``: the lines the container writes to CloudWatch Logs through its ``awslogs`` log configuration
        (a Batch job's default: ``/aws/batch/job``): a str is written when the container starts (reaches
        RUNNING), a ``(seconds_after_start, line)`` pair that much later on the fake clock; lines timed after
        the container exited are never written. Unmatched containers run until stopped, exit 143 promptly on
        SIGTERM and write nothing.

        Example: ``fake.behavior("migrate:1", runs_for=45, exit_code=3, logs=["start", (45, "failed")])``.
        """
        with explained(README_BEHAVIORS):
            if not isinstance(match, str) or not match:
                raise TypeError(f"behavior(match=...) takes an image or container name, got {match!r}")
            chosen = make_behavior(runs_for, exit_code, stop_takes, ignores_sigterm, pull_error, logs,
                                   sigterm_exit_code)
        with self._backend.lock:
            self._backend.behaviors[match] = chosen

    def add_container_instance(self, cluster: str = "default", *, cpu: int = 2048, memory: int = 4096,
                               instance_type: str = "m5.large", availability_zone: str | None = None,
                               attributes: Mapping[str, str | None] | None = None) -> str:
        """Register an EC2 container instance in ``cluster`` (of the fake's region); return its ARN.

        Example: ``fake.add_container_instance("default", cpu=4096, memory=8192,
        attributes={"team": "data"})``.
        """
        from ..ecs.instance_registration import add_container_instance

        with self._backend.lock:
            self._backend.changed()
            ctx = self._context(self.region)
            return add_container_instance(ctx, cluster, cpu=cpu, memory=memory, instance_type=instance_type,
                                          availability_zone=availability_zone,
                                          attributes=dict(attributes) if attributes else None)

    def interrupt(self, task: str, *, stop_code: str = "SpotInterruption", reason: str | None = None) -> None:
        """Stop a task as the infrastructure would (Fargate Spot reclaim, host retirement): SIGTERM, then
        SIGKILL at the stop timeout, like StopTask, with ``stop_code`` and ``reason``.

        ``stop_code``: SpotInterruption, TerminationNotice or ServiceSchedulerInitiated. ``task``: ARN or id.
        Example: ``fake.interrupt(task_arn, stop_code="TerminationNotice")``.
        """
        from ..ecs.interruptions import interrupt

        with self._backend.lock:
            self._backend.settle()
            self._backend.changed()
            interrupt(self, task, stop_code, reason)

    def _context(self, region: str, operation: str = "fake") -> Context:
        return Context(self._backend, "ecs", operation, region, self._backend.clock.now())

    # -- faults (records: ways_in/observing.py) ------------------------------------------------------------
    def fail(self, operation: str, code: str = "ServerException", *, message: str | None = None,
             times: int = 1) -> None:
        """Make the next ``times`` calls of ``operation`` answer the AWS error ``code``.

        ``operation`` is a botocore operation name (``"RunTask"``), optionally prefixed by its service
        (``"batch:TagResource"``, ``"logs:GetLogEvents"``).
        Example: ``fake.fail("DescribeTasks", "ThrottlingException", times=2)``.
        """
        service, _, name = operation.rpartition(":")
        if not name or (service and service not in ("ecs", "batch", "logs")):
            raise ValueError(f"fake.fail({operation!r}): expected 'Operation' or 'ecs:Operation'/'batch:Operation'/"
                             "'logs:Operation'")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"fake.fail(times=...) takes an int >= 1, got {times!r}")
        text = message if message is not None else f"{code} injected by fake.fail({operation!r})"
        with self._backend.lock:
            self._backend.faults.append(Fault(name, service or None, code, text, times))

    def reset(self) -> None:
        """Forget all resources, calls, faults and behaviours; the clock stays where it is."""
        with self._backend.lock:
            self._backend.reset()
            self._backend.changed()

    # -- an HTTP server over this fake, in this process ------------------------------------------------------
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> AbstractContextManager[str]:
        """A context manager: an HTTP server over this fake, run by a thread of this process; yields its URL.

        It speaks ECS and Batch as AWS does (plus the ``/_ecsfake/`` admin endpoints of ``ecsfake serve``),
        through the same dispatcher as intercepted calls. Because it runs in the test's process, the fake
        clock (freezegun, ``advance()``) applies to whatever calls it: the AWS CLI in a subprocess, curl, a
        client of another language. ``port=0`` picks a free port. Clients pointed at a loopback URL are not
        intercepted, so they really go over HTTP (and sign their requests: give them dummy credentials).

        Example::

            with ecs_fake.serve() as url:
                subprocess.run(["aws", "ecs", "list-clusters", "--endpoint-url", url], env=env, check=True)
        """
        from .server import serving

        return serving(self, host, port)

    # -- the one entrance for requests (botocore patch, responses, the HTTP server) ------------------------
    def _handle(self, service: str, request: HttpRequest) -> HttpResponse:
        from ..wire.dispatch import dispatch  # imported at first use: the plugin's import stays light

        return dispatch(self._backend, service, request)

    # -- activation ---------------------------------------------------------------------------------------
    def start(self) -> EcsFake:
        """Activate: freeze the clock (unless ``freeze=False``) and serve ECS/Batch calls."""
        if self._active:
            raise RuntimeError(f"{self!r} is already active; use a new EcsFake to nest fakes")
        import freezegun
        import freezegun.api

        from . import activation  # with the patches it installs: imported at the first activation
        from .fake_time.freezer import start_freezer, watched_ids
        from .fake_time.modules import Snapshot

        # One look at sys.modules for freezegun's walk and the rebinding of sleep.
        snapshot = Snapshot(watched_ids())
        factories = freezegun.api.freeze_factories
        adopt = factories and self._adopt_frozen_time
        if self._freeze and (not adopt or self._tick is not False):
            start_at = peek(factories[-1]) if adopt else self._start_at  # the test's frozen instant
            ticking = {"tick": True} if self._tick is True else {"auto_tick_seconds": float(self._tick)} \
                if self._tick else {}
            self._freezer = freezegun.freeze_time(start_at, ignore=_FREEZEGUN_IGNORE, real_asyncio=True, **ticking)
            start_freezer(self._freezer, snapshot)  # freezegun's start(), with a cheaper module walk (see _freezer)
        self._backend.clock.bind(factories if self._freeze else [], freezegun.api.real_time)
        self._origin = self._backend.clock.now()
        self._active = True
        self._started = True
        self._thread = threading.get_ident()
        activation.activate(self, snapshot)
        return self

    def stop(self, *, check: bool = True) -> None:
        """Deactivate. With ``check`` (the default), fail when the fake saw a problem of its own (a bug,
        an unsupported operation, a strict-mode violation): code under test cannot swallow those."""
        if not self._active:
            return
        from . import activation

        try:
            activation.deactivate(self)
        finally:
            self._active = False
            if self._freezer is not None:
                self._freezer.stop()
                self._freezer = None
        problems = self._backend.problems
        if check and problems:
            listed = "\n".join(f"- {p}" for p in problems)
            raise FakeBugError(f"pytest-ecsfake saw {len(problems)} problem(s) during this test:\n{listed}\n"
                               f"What each means and how to fix it: {README_ERRORS}")

    def __enter__(self) -> EcsFake:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        # When the block already failed, stop quietly: a teardown error must not mask the real failure.
        self.stop(check=exc_type is None)

    async def __aenter__(self) -> EcsFake:
        return self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.stop(check=exc_type is None)

    # -- decorator ----------------------------------------------------------------------------------------
    def _fresh(self) -> EcsFake:
        return EcsFake(**self._options)

    def __call__(self, target: T) -> T:
        """Decorate a test function, coroutine or class: each call (each test method) runs in a fresh fake."""
        return decorate(self._fresh, target)


def mock_ecs(func: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """moto-style spelling of ``EcsFake``: ``@mock_ecs``, ``@mock_ecs(region=...)``, ``with mock_ecs() as fake``.

    Example::

        @mock_ecs
        def test_cleanup():
            boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="c")
    """
    if func is not None:
        if options or not callable(func):
            raise TypeError("mock_ecs takes keyword options only: @mock_ecs or @mock_ecs(region='eu-west-1')")
        return EcsFake()(func)
    return EcsFake(**options)
