"""Batch's EventBridge events [BUG:batch_job_events]: "Batch Job State Change" at every status change of a job
after its submission ("Events aren't created for the initial job submission"), with the job as DescribeJobs
answers it then as ``detail`` (``core.state_events`` keeps and forwards them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.state_events import emit
from .wire import job_detail

if TYPE_CHECKING:
    from ..core.backend import Backend
    from .state import Job


def job_changed(backend: Backend, job: Job, at: float) -> None:
    emit(backend, source="aws.batch", detail_type="Batch Job State Change", region=job.arn.split(":")[3],
         resource=job.arn, snapshot=job_detail(job), at=at)
