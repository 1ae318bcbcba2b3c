"""The JobDetail of a job on Amazon EKS (``eks.py``, ``pods.py``): ``eksProperties`` with the latest pod, and
``eksAttempts``. Apart from the lifecycle, so that ``wire.py`` (and the state-change events) can describe a job
without importing it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .state import Job, json_copy, with_times

if TYPE_CHECKING:
    from .pods import PodAttempt


def _attempt(attempt: PodAttempt) -> dict[str, Any]:
    def containers(group: list[Any]) -> list[dict[str, Any]]:
        out = []
        for c in group:
            item: dict[str, Any] = {"name": c.name, "containerID": c.container_id}
            if c.exit_code is not None:
                item["exitCode"] = c.exit_code
            if c.reason:
                item["reason"] = c.reason
            out.append(item)
        return out

    body: dict[str, Any] = {
        "containers": containers(attempt.containers),
        "eksClusterArn": attempt.cluster_arn,
        "podName": attempt.pod_name,
        "podNamespace": attempt.namespace,
        "nodeName": attempt.node_name,
    }
    if attempt.init_containers:
        body["initContainers"] = containers(attempt.init_containers)
    return with_times(body, attempt.started_at, attempt.stopped_at, attempt.status_reason)


def eks_detail(job: Job, body: dict[str, Any]) -> dict[str, Any]:
    """An EKS job's JobDetail: ``container`` gives way to ``eksProperties`` (with the latest attempt's
    ``podName``/``nodeName`` and its containers' exit codes) and ``eksAttempts`` lists the ended attempts."""
    assert job.eks is not None
    body.pop("container", None)
    props = json_copy(job.eks)
    pod = props["podProperties"]
    latest = job.pods[-1] if job.pods else None
    if latest is not None:
        pod["podName"], pod["nodeName"] = latest.pod_name, latest.node_name
        for spec, run in zip(pod["containers"], latest.containers, strict=False):
            if run.exit_code is not None:
                spec["exitCode"] = run.exit_code
            if run.reason:
                spec["reason"] = run.reason
    body["eksProperties"] = props
    body["eksAttempts"] = [_attempt(a) for a in job.pods if a.ended]
    return body
