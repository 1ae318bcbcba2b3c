"""TerminateJobs and CancelJobs: TerminateJob and CancelJob (stopping.py) for up to 50 jobs at once
[M:TerminateJobs; M:CancelJobs].

Each job is handled as the single operation handles it, in the order given; the answer lists the job ids
handled in ``successful`` and the ones that could not be in ``errors`` (``job``, ``code``, ``message``), with
HTTP 200 either way. "Jobs that can't be found are treated as successfully processed" (as TerminateJob and
CancelJob answer ``{}`` for an unknown id). A job id is reported as the request gave it.

The only per-job error the fake can meet is a malformed identifier, "ValidationException – A job identifier
in the request is malformed or isn't valid" [M:TerminateJobsErrorDetail.code]: an empty string, or an ARN that
is not a job ARN of this region and account. Its message is the fake's own (AWS's wording is not known).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.backend import Backend
from ..core.context import Context
from ..core.registry import handler
from .refs import name_of
from .state import Job, batch_state
from .stopping import cancel, terminate


def _malformed(ctx: Context, ref: str) -> bool:
    return not ref.strip() or name_of(ctx, ref, "job") is None


def _each(ctx: Context, req: dict[str, Any], stop: Callable[[Backend, Job, str, float], None]) -> dict[str, Any]:
    successful: list[str] = []
    errors: list[dict[str, str]] = []
    jobs = batch_state(ctx).jobs
    for ref in req["jobs"]:
        if _malformed(ctx, ref):
            errors.append({"job": ref, "code": "ValidationException",
                           "message": f"Job identifier {ref!r} is not a job id or a job ARN of this region and "
                                      "account."})
            continue
        job = jobs.get(name_of(ctx, ref, "job") or "")
        if job is not None:
            stop(ctx.backend, job, req["reason"], ctx.now)
        successful.append(ref)
    return {"successful": successful, "errors": errors}


@handler("batch", "TerminateJobs")
def terminate_jobs(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """STARTING/RUNNING jobs are terminated (FAILED once their container exited); the others cancelled."""
    return _each(ctx, req, terminate)


@handler("batch", "CancelJobs")
def cancel_jobs(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """SUBMITTED/RUNNABLE jobs are cancelled, PENDING ones once their dependencies finished; STARTING/RUNNING
    jobs are left alone ("These jobs must be terminated") and still count as successful."""
    return _each(ctx, req, cancel)
