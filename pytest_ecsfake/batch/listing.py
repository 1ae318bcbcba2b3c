"""ListJobs [M:ListJobs; M:ListJobsRequest; P].

Exactly one of ``jobQueue`` (the queue's jobs; array children are listed through their parent),
``arrayJobId`` (the children) or ``multiNodeJobId`` (a multi-node parallel job's nodes) — the schema
checks that. Without ``filters``: the jobs in ``jobStatus`` (default RUNNING), oldest first, up to 1000 a
page. With a filter (one at a time: JOB_NAME, JOB_DEFINITION, BEFORE_CREATED_AT, AFTER_CREATED_AT,
SHARE_IDENTIFIER): every status (``jobStatus`` is ignored), newest first, up to 100 a page. The opaque
``nextToken`` remembers the last job returned, so a job is never listed twice however statuses change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.context import Context
from ..core.errors import ClientException
from ..core.paging import make_token, read_token, with_token
from ..core.registry import handler
from .job_queues import find_queue
from .state import Job, batch_state, ms
from .stopping import find_job
from .wire import job_summary

FILTERS = ("JOB_NAME", "JOB_DEFINITION", "BEFORE_CREATED_AT", "AFTER_CREATED_AT", "SHARE_IDENTIFIER")


def _candidates(ctx: Context, req: dict[str, Any]) -> list[Job]:
    if "jobQueue" in req:
        queue = find_queue(ctx, req["jobQueue"])
        return [j for j in batch_state(ctx).jobs.values()
                if j.queue is queue and j.parent is None and not (j.multinode is not None and j.multinode.is_node)]
    if "arrayJobId" in req:
        parent = find_job(ctx, req["arrayJobId"])
        return list(parent.children) if parent is not None else []
    job = find_job(ctx, req["multiNodeJobId"])  # a multi-node parallel job's nodes (nodes.py)
    return list(job.multinode.nodes) if job is not None and job.multinode is not None and not job.multinode.is_node \
        else []


def name_or_time_matcher(name: str, value: str) -> Callable[[Any], bool] | None:
    """The filters ListJobs and ListServiceJobs share, on anything with ``name`` and ``created_at``: JOB_NAME
    (case-insensitive, a trailing ``*`` matches a prefix), BEFORE_CREATED_AT, AFTER_CREATED_AT (epoch ms);
    None for another filter name."""
    if name == "JOB_NAME":
        wanted = value.lower()
        if wanted.endswith("*"):
            return lambda job: bool(job.name.lower().startswith(wanted[:-1]))
        return lambda job: bool(job.name.lower() == wanted)
    if name in ("BEFORE_CREATED_AT", "AFTER_CREATED_AT"):
        try:
            limit = int(value)
        except ValueError:
            raise ClientException(f"{name} takes milliseconds since the epoch, got {value!r}.") from None
        if name == "BEFORE_CREATED_AT":
            return lambda job: ms(job.created_at) < limit
        return lambda job: ms(job.created_at) > limit
    return None


def _matcher(ctx: Context, name: str, value: str) -> Callable[[Job], bool]:
    shared = name_or_time_matcher(name, value)
    if shared is not None:
        return shared
    if name == "JOB_DEFINITION":
        if value.startswith("arn:"):
            return lambda job: job.definition.arn == value
        if value.endswith("*"):
            return lambda job: job.definition.name.startswith(value[:-1])
        return lambda job: job.definition.name == value
    # SHARE_IDENTIFIER: the jobs of that share (a trailing * matches a prefix, as for JOB_NAME; inferred).
    if value.endswith("*"):
        return lambda job: job.share_identifier is not None and job.share_identifier.startswith(value[:-1])
    return lambda job: job.share_identifier == value


def _filter(ctx: Context, req: dict[str, Any]) -> Callable[[Job], bool] | None:
    filters = req.get("filters")
    if not filters:
        return None
    if len(filters) > 1:
        raise ClientException("Only one filter can be used at a time.")
    name, values = filters[0].get("name"), filters[0].get("values") or []
    if name not in FILTERS:
        raise ClientException(f"Unknown filter name {name!r}: use one of {', '.join(FILTERS)}.")
    if len(values) != 1:
        raise ClientException(f"Filter {name} takes exactly one value, got {len(values)}.")
    return _matcher(ctx, name, values[0])


def _order(job: Job) -> list[Any]:
    return [job.created_at, job.key[0], job.key[1]]


@handler("batch", "ListJobs")
def list_jobs(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    keep = _filter(ctx, req)
    jobs = _candidates(ctx, req)
    if keep is None:
        status = req.get("jobStatus", "RUNNING")
        jobs = sorted((j for j in jobs if j.status == status), key=_order)
        size, newest_first = req.get("maxResults") or 1000, False
    else:
        if any(f.get("name") == "SHARE_IDENTIFIER" for f in req["filters"]) and "jobStatus" in req:
            jobs = [j for j in jobs if j.status == req["jobStatus"]]
        jobs = sorted((j for j in jobs if keep(j)), key=_order, reverse=True)
        size, newest_first = req.get("maxResults") or 100, True
    if req.get("nextToken"):
        after = read_token("ListJobs", req["nextToken"], ClientException)
        if not isinstance(after, list) or len(after) != 3:
            raise ClientException("Invalid nextToken for ListJobs")
        jobs = [j for j in jobs if (_order(j) < after if newest_first else _order(j) > after)]
    chunk = jobs[:size]
    token = make_token("ListJobs", _order(chunk[-1])) if len(jobs) > size else None
    return with_token({"jobSummaryList": [job_summary(j) for j in chunk]}, token)
