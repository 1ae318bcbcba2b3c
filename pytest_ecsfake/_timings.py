"""Default durations of lifecycle phases, in seconds of fake time; ``EcsFake(timings={...})`` overrides them.

AWS documents the order of these phases, not their lengths. The defaults are plausible figures chosen so a
Fargate task is RUNNING within 60 s of RunTask and an EC2 task within 30 s; each key is listed in README
("Timings"). Change them per fake rather than relying on the exact defaults.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._timings_batch import BATCH_TIMINGS
from ._timings_services import SERVICE_TIMINGS

ECS_TIMINGS: dict[str, float] = {
    # ECS tasks, launch (awsvpc tasks walk PROVISIONING first; bridge/host tasks start in PENDING).
    "provisioning": 5.0,  # PROVISIONING → PENDING: ENI created and attached; connectivityAt at its end
    "pull_start": 1.0,  # PENDING → ACTIVATING, when the image pull starts (pullStartedAt)
    "pull": 10.0,  # image pull (pullStartedAt → pullStoppedAt), Fargate
    "pull_ec2": 3.0,  # image pull on an EC2 container instance (images are often cached)
    "activating": 2.0,  # pull done (pullStoppedAt) → RUNNING (startedAt): containers created and started
    # ECS tasks, stop.
    "deactivating": 2.0,  # DEACTIVATING → STOPPING: deregistration before containers get their stop signal
    "cleanup": 1.0,  # last container exited → DEPROVISIONING (awsvpc) or STOPPED: the agent reports the stop
    "deprovisioning": 5.0,  # DEPROVISIONING → STOPPED (stoppedAt): ENI detached and deleted
    "stopped_visible": 3600.0,  # a STOPPED task stays visible to DescribeTasks this long, then is MISSING
    # ECS clusters.
    "cluster_deprovision": 0.0,  # DeleteCluster: DEPROVISIONING → INACTIVE (0: INACTIVE at once)
    "cluster_inactive_visible": 3600.0,  # an INACTIVE cluster stays discoverable this long, then is gone
}

DEFAULT_TIMINGS: dict[str, float] = {**ECS_TIMINGS, **SERVICE_TIMINGS, **BATCH_TIMINGS}


def merged(overrides: Mapping[str, float] | None) -> dict[str, float]:
    timings = dict(DEFAULT_TIMINGS)
    for key, value in (overrides or {}).items():
        if key not in DEFAULT_TIMINGS:
            known = ", ".join(sorted(DEFAULT_TIMINGS))
            raise TypeError(f"EcsFake(timings=...): unknown phase {key!r}; known phases: {known}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise TypeError(f"EcsFake(timings={{{key!r}: ...}}) takes seconds >= 0, got {value!r}")
        timings[key] = float(value)
    return timings
