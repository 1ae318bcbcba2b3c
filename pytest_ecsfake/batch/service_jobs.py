"""SubmitServiceJob, DescribeServiceJob, ListServiceJobs, UpdateServiceJob, TerminateServiceJob,
TerminateServiceJobs: Batch's service jobs (SageMaker training jobs queued in SAGEMAKER_TRAINING job queues).
Their lifecycle and dispatch are in service_runs.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.context import Context
from ..core.errors import ClientException
from ..core.paging import make_token, read_token, with_token
from ..core.registry import handler
from .job_queues import find_queue
from .listing import name_or_time_matcher
from .refs import name_of
from .service_runs import ServiceAttempt, ServiceJob, make_runnable, terminate
from .state import batch_state, json_copy, ms, with_times


def find_service_job(ctx: Context, ref: str) -> ServiceJob | None:
    ident = name_of(ctx, ref, "service-job")
    found: ServiceJob | None = None if ident is None else batch_state(ctx).service_jobs.get(ident)
    return found


def _get(ctx: Context, ref: str) -> ServiceJob:
    job = find_service_job(ctx, ref)
    if job is None:  # own wording, not confirmed
        raise ClientException(f"Service job {ref} does not exist.")
    return job


@handler("batch", "SubmitServiceJob")
def submit_service_job(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    queue = find_queue(ctx, req["jobQueue"])
    if queue is None:  # the words SubmitJob answers (FIDELITY.md "Observed since")
        raise ClientException(f"JobQueue {req['jobQueue']} not found.")
    if not queue.service_order:  # own wording, not confirmed
        raise ClientException(f"Job queue {queue.name} is not of type SAGEMAKER_TRAINING: service jobs can't be "
                              "submitted to it.")
    if queue.state != "ENABLED" or queue.status == "DELETING":
        why = "being deleted" if queue.status == "DELETING" else "DISABLED"
        raise ClientException(f"Job queue {queue.name} is {why}: new jobs can't be added to it.")
    if "shareIdentifier" in req:  # as SubmitJob (no fair-share policy on service queues in the fake)
        raise ClientException("shareIdentifier can only be given for a job queue with a fair-share scheduling policy.")
    if "quotaShareName" in req:  # own wording, not confirmed
        raise ClientException("quotaShareName can only be given for a job queue with a quota share scheduling policy.")
    retry = json_copy(req.get("retryStrategy"))  # kept as given: ServiceJobRetryAction is upper-case in the model
    state = batch_state(ctx)
    token = req.get("clientToken")
    if token is not None:
        # "two submit requests with identical payloads and clientTokens … are considered the same request and the
        # second request is rejected" [M:SubmitServiceJobRequest.clientToken]; the wording is the fake's own.
        request = {k: v for k, v in req.items() if k != "clientToken"}
        if state.service_tokens.get(token) == request:
            raise ClientException(f"A service job was already submitted with clientToken {token} and this request.")
        state.service_tokens[token] = json_copy(request)
    job_id = ctx.backend.ids.uuid()
    job = ServiceJob(
        id=job_id,
        arn=ctx.arn("batch", f"service-job/{job_id}"),
        name=req["jobName"],
        seq=state.seq(),
        queue=queue,
        kind=req["serviceJobType"],
        payload=req["serviceRequestPayload"],
        created_at=ctx.now,
        retry=retry,
        timeout=json_copy(req.get("timeoutConfig")),
        tags=dict(req.get("tags", {})),
        scheduling_priority=req.get("schedulingPriority"),
        extra={k: json_copy(req[k]) for k in ("preemptionConfiguration",) if k in req},
    )
    state.service_jobs[job_id] = job
    backend = ctx.backend
    backend.events.schedule(ctx.now + backend.timings["batch_submitted"],
                            lambda t: make_runnable(backend, state, job, t) if job.status == "SUBMITTED" else None)
    return {"jobArn": job.arn, "jobName": job.name, "jobId": job.id}


def _resource_id(attempt: ServiceAttempt) -> dict[str, str]:
    return {"name": "TrainingJobArn", "value": attempt.resource_arn}


def _attempt(attempt: ServiceAttempt) -> dict[str, Any]:
    body: dict[str, Any] = {"serviceResourceId": _resource_id(attempt)}
    return with_times(body, attempt.started_at, attempt.stopped_at, attempt.status_reason)


def _common(job: ServiceJob) -> dict[str, Any]:
    body: dict[str, Any] = {
        "jobArn": job.arn,
        "jobId": job.id,
        "jobName": job.name,
        "createdAt": ms(job.created_at),
        "serviceJobType": job.kind,
        "status": job.status,
        "capacityUsage": [{"capacityUnit": job.instance_type, "quantity": job.instances}],
    }
    if job.attempts:
        body["latestAttempt"] = {"serviceResourceId": _resource_id(job.attempts[-1])}
    if job.scheduled_at is not None:
        body["scheduledAt"] = ms(job.scheduled_at)
    if job.status_reason:
        body["statusReason"] = job.status_reason
    if job.stopped_at is not None:
        body["stoppedAt"] = ms(job.stopped_at)
    return body


def _detail(job: ServiceJob) -> dict[str, Any]:
    body = _common(job)
    body.update({
        "jobQueue": job.queue.arn,
        "attempts": [_attempt(a) for a in job.attempts],
        "isTerminated": job.is_terminated,
        "serviceRequestPayload": job.payload,
        # startedAt is a required member of the answer: 0 until the job has started (own choice)
        "startedAt": ms(job.started_at) if job.started_at is not None else 0,
    })
    for key, value in (("retryStrategy", job.retry), ("timeoutConfig", job.timeout),
                       ("schedulingPriority", job.scheduling_priority), ("tags", job.tags or None),
                       ("preemptionConfiguration", job.extra.get("preemptionConfiguration"))):
        if value is not None:
            body[key] = json_copy(value)
    return body


@handler("batch", "DescribeServiceJob")
def describe_service_job(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    return _detail(_get(ctx, req["jobId"]))


def _summary(job: ServiceJob) -> dict[str, Any]:
    body = _common(job)
    if job.started_at is not None:
        body["startedAt"] = ms(job.started_at)
    if job.is_terminated:
        body["isTerminated"] = True  # "only present when the value is true" [M:ServiceJobSummary.isTerminated]
    return body


def _matcher(name: str, value: str) -> Callable[[ServiceJob], bool]:
    shared = name_or_time_matcher(name, value)
    if shared is not None:
        return shared
    if name in ("SHARE_IDENTIFIER", "QUOTA_SHARE_NAME"):
        return lambda job: False  # no service job has a share in the fake (SubmitServiceJob refuses them)
    raise ClientException(f"Unknown filter name {name!r}.")  # own wording, as ListJobs'


@handler("batch", "ListServiceJobs")
def list_service_jobs(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    jobs = list(batch_state(ctx).service_jobs.values())
    if "jobQueue" in req:
        queue = find_queue(ctx, req["jobQueue"])
        jobs = [j for j in jobs if j.queue is queue]
    filters = req.get("filters")
    if filters:
        if len(filters) > 1:
            raise ClientException("Only one filter can be used at a time.")
        name, values = filters[0].get("name", ""), filters[0].get("values") or []
        if len(values) != 1:
            raise ClientException(f"Filter {name} takes exactly one value, got {len(values)}.")
        keep = _matcher(name, values[0])
        if name in ("SHARE_IDENTIFIER", "QUOTA_SHARE_NAME") and "jobStatus" in req:
            jobs = [j for j in jobs if j.status == req["jobStatus"]]
        jobs = sorted((j for j in jobs if keep(j)), key=lambda j: j.seq, reverse=True)  # newest first
    else:
        status = req.get("jobStatus", "RUNNING")
        jobs = sorted((j for j in jobs if j.status == status), key=lambda j: j.seq)
    if req.get("nextToken"):
        after = read_token("ListServiceJobs", req["nextToken"], ClientException)
        if not isinstance(after, int):
            raise ClientException("Invalid nextToken for ListServiceJobs")
        jobs = [j for j in jobs if (j.seq < after if filters else j.seq > after)]
    size = req.get("maxResults") or 100
    chunk = jobs[:size]
    token = make_token("ListServiceJobs", chunk[-1].seq) if len(jobs) > size else None
    return with_token({"jobSummaryList": [_summary(j) for j in chunk]}, token)


@handler("batch", "UpdateServiceJob")
def update_service_job(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    job = _get(ctx, req["jobId"])
    # "This only affects jobs in job queues with a quota-share or fair-share scheduling policy"
    # [M:UpdateServiceJobRequest.schedulingPriority]: kept and answered; the fake's service queues are FIFO.
    job.scheduling_priority = req["schedulingPriority"]
    return {"jobArn": job.arn, "jobName": job.name, "jobId": job.id}


@handler("batch", "TerminateServiceJob")
def terminate_service_job(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    job = find_service_job(ctx, req["jobId"])
    if job is not None:  # as TerminateJob: an unknown id answers 200 {} (FIDELITY.md "Observed since")
        terminate(ctx.backend, batch_state(ctx), job, req["reason"], ctx.now)
    return {}


@handler("batch", "TerminateServiceJobs")
def terminate_service_jobs(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    successful: list[str] = []
    errors: list[dict[str, str]] = []
    for ident in req["jobs"]:
        job = find_service_job(ctx, ident)
        if job is None:  # own wording, not confirmed; the code is one the reference lists
            errors.append({"job": ident, "code": "ClientException", "message": f"Service job {ident} does not exist."})
            continue
        terminate(ctx.backend, batch_state(ctx), job, req["reason"], ctx.now)
        successful.append(ident)
    return {"successful": successful, "errors": errors}
