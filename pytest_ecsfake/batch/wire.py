"""Jobs on the wire: DescribeJobs' ``JobDetail`` and ListJobs' ``JobSummary``. Timestamps in epoch ms.

``attempts`` lists the attempts that have ended; the attempt under way shows in ``container`` (``taskArn``
from STARTING, ``logStreamName`` from RUNNING, ``exitCode``/``reason`` once it ended).
"""

from __future__ import annotations

from typing import Any

from . import ecs_properties
from .eks_wire import eks_detail
from .state import Attempt, Job, ms, with_times


def _attempt_container(attempt: Attempt) -> dict[str, Any]:
    task = attempt.task
    body: dict[str, Any] = {"taskArn": task.arn}
    if task.container_instance is not None:
        body["containerInstanceArn"] = task.container_instance.arn
    if attempt.log_stream:
        body["logStreamName"] = attempt.log_stream
    if attempt.exit_code is not None:
        body["exitCode"] = attempt.exit_code
    if attempt.reason:
        body["reason"] = attempt.reason
    body["networkInterfaces"] = task.network_interfaces()
    return body


def attempt_detail(attempt: Attempt) -> dict[str, Any]:
    body: dict[str, Any] = {"container": _attempt_container(attempt)}
    return with_times(body, attempt.started_at, attempt.stopped_at, attempt.status_reason)


def _array(job: Job) -> dict[str, Any] | None:
    if job.index is not None:
        return {"index": job.index}
    if job.size is None:
        return None
    body: dict[str, Any] = {"size": job.size}
    if job.summary:
        body["statusSummary"] = dict(job.summary)
        if job.summary_at is not None:
            body["statusSummaryLastUpdatedAt"] = ms(job.summary_at)
    return body


def job_detail(job: Job) -> dict[str, Any]:
    """The JobDetail shape, to be encoded at once (DescribeJobs): it shares the job's own lists and maps."""
    container = dict(job.container)  # the attempt's members go on top
    attempt = job.attempts[-1] if job.attempts else None
    if attempt is not None:
        container.update(_attempt_container(attempt))
    body: dict[str, Any] = {
        "jobArn": job.arn,
        "jobName": job.name,
        "jobId": job.id,
        "jobQueue": job.queue.arn,
        "status": job.status,
        "attempts": [attempt_detail(a) for a in job.attempts if a.ended],
        "createdAt": ms(job.created_at),
        "dependsOn": job.depends_on,
        "jobDefinition": job.definition.arn,
        "parameters": job.parameters,
        "container": container,
        "propagateTags": job.propagate_tags,
        "platformCapabilities": job.definition.body.get("platformCapabilities", []),
        "isCancelled": job.is_cancelled,
        "isTerminated": job.is_terminated,
    }
    # The optional members, in this order; absent when None (an empty timeout or tags too).
    if job.status_reason is not None:
        body["statusReason"] = job.status_reason
    if job.started_at is not None:
        body["startedAt"] = ms(job.started_at)
    if job.stopped_at is not None:
        body["stoppedAt"] = ms(job.stopped_at)
    if job.retry is not None:
        body["retryStrategy"] = job.retry
    if job.timeout:
        body["timeout"] = job.timeout
    if job.tags:
        body["tags"] = job.tags
    array = _array(job)
    if array is not None:
        body["arrayProperties"] = array
    if job.scheduling_priority is not None:
        body["schedulingPriority"] = job.scheduling_priority
    if job.share_identifier is not None:
        body["shareIdentifier"] = job.share_identifier
    if job.consumables is not None:
        body["consumableResourceProperties"] = job.consumables
    if job.multinode is not None:
        job.multinode.describe(job, body)  # nodes.py: nodeProperties, nodeDetails
    if job.containers is not None:
        ecs_properties.describe(job, body)  # ecsProperties, attempts[].taskProperties
    if job.eks is not None:
        body.pop("platformCapabilities")
        return eks_detail(job, body)
    return body


def job_summary(job: Job) -> dict[str, Any]:
    """The JobSummary shape."""
    body: dict[str, Any] = {
        "jobArn": job.arn,
        "jobId": job.id,
        "jobName": job.name,
        "createdAt": ms(job.created_at),
        "status": job.status,
        "jobDefinition": job.definition.arn,
    }
    if job.share_identifier is not None:
        body["shareIdentifier"] = job.share_identifier
    if job.status_reason:
        body["statusReason"] = job.status_reason
    if job.started_at is not None:
        body["startedAt"] = ms(job.started_at)
    if job.stopped_at is not None:
        body["stoppedAt"] = ms(job.stopped_at)
    ended = [a for a in job.attempts if a.ended]
    if ended:
        last = ended[-1]
        summary: dict[str, Any] = {}
        if last.exit_code is not None:
            summary["exitCode"] = last.exit_code
        if last.reason:
            summary["reason"] = last.reason
        body["container"] = summary
    array = _array(job)
    if array is not None:
        body["arrayProperties"] = array
    if job.multinode is not None:
        job.multinode.summarize(job, body)
    return body
