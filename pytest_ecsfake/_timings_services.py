"""Default durations of the ECS service scheduler's steps, in seconds of fake time (see _timings.py)."""

from __future__ import annotations

SERVICE_TIMINGS: dict[str, float] = {
    # The scheduler acts this long after something changed: CreateService/UpdateService/DeleteService, or a
    # state change of one of the service's tasks (a task reached RUNNING, a task is stopping).
    "service_scheduler_delay": 1.0,
    # A task without container health checks counts towards minimumHealthyPercent only after this long in
    # RUNNING [M:DeploymentConfiguration]; the fake also takes it as the circuit breaker's "started" mark.
    "service_healthy_after": 40.0,
    # Tasks that fit on no container instance are placed again after this long.
    "service_placement_retry": 30.0,
}
