"""What a handler gets besides the request: the region it was sent to, fake time, and the backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from .errors import UnsupportedOperation
from .records import ValueRecord

if TYPE_CHECKING:
    from ..ecs.state import EcsState
    from ..logs.state import LogsState
    from .backend import Backend, RegionState


# How each service makes its state for a region: registered by the service package when it is imported (every
# handler module imports its package first), so the core never imports a service.
SERVICE_STATES: dict[str, Callable[[], Any]] = {}


def logs_state(state: RegionState) -> LogsState:
    """The CloudWatch Logs resources of a region (created at first use): for the Logs handlers, and for the
    ECS and Batch lifecycles that write their containers' output there."""
    if state.logs is None:
        state.logs = SERVICE_STATES["logs"]()
    logs: LogsState = state.logs
    return logs


class Context(ValueRecord):
    __slots__ = ("backend", "service", "operation", "region", "now", "_state", "_ecs", "documented_rules", "raw")
    backend: Backend
    service: str
    operation: str
    region: str
    now: float
    # Looked up once per operation (a handler asks many times); a Context lives for one operation. Plain
    # attributes, not functools.cached_property (which takes a lock at every first access in Python 3.11).
    _state: RegionState | None
    _ecs: EcsState | None
    # Rules the reference states that this request broke but AWS is not known to enforce (``documented``).
    documented_rules: list[str] | None
    # The request's JSON body when it is the whole request (AWS JSON 1.1: ECS, CloudWatch Logs), the call may
    # change state and the handler's request is that body decoded (no member the model lacks was dropped), else
    # None: what a handler keeps of a request (RunTask's clientToken) instead of the decoded one.
    raw: bytes | None
    _hidden = ("_state", "_ecs", "documented_rules", "raw")

    def __init__(self, backend: Backend, service: str, operation: str, region: str, now: float) -> None:
        self.backend, self.service, self.operation, self.region, self.now = backend, service, operation, region, now
        self._state = self._ecs = None
        self.documented_rules = None
        self.raw = None

    @property
    def account_id(self) -> str:
        return self.backend.account_id

    @property
    def state(self) -> RegionState:
        state = self._state
        if state is None:
            state = self._state = self.backend.region_state(self.region)
        return state

    @property
    def ecs(self) -> EcsState:
        ecs = self._ecs
        if ecs is None:
            state = self.state
            if state.ecs is None:
                state.ecs = SERVICE_STATES["ecs"]()
            ecs = self._ecs = state.ecs
        return ecs

    @property
    def logs(self) -> LogsState:
        return logs_state(self.state)

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.backend.account_id}:{resource}"

    def documented(self, rule: str) -> None:
        """The request breaks ``rule``, which the reference states but AWS is not known to enforce: it is answered
        all the same (a false refusal is worse than a missed one), the rule goes on the call record and the
        failure report, and in strict mode the test fails at teardown, as for the schema's documented rules."""
        if self.documented_rules is None:
            self.documented_rules = []
        self.documented_rules.append(rule)

    def unsupported(self, feature: str) -> NoReturn:
        """Refuse the request: ``feature`` is real ECS/Batch, but pytest-ecsfake does not fake it yet.

        Answered as ``UnsupportedOperation`` (HTTP 501) and a failure at teardown, like an operation that is not
        implemented: a silently ignored feature would let a test pass that AWS would run differently, and the
        fake's limitation never poses as an AWS error the code could expect."""
        message = f"pytest-ecsfake does not support {feature} in {self.service}:{self.operation} yet."
        self.backend.problems.append(message)
        raise UnsupportedOperation(message)
