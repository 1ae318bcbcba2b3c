"""Code under test: a nightly Batch pipeline — extract, then a fan-out transform (array job), then load.

Transient extract failures (exit code 75) are retried by Batch itself; any other failure ends the job and, through
the dependencies, the pipeline. A deadline bounds the whole run: whatever is still going when it passes is
terminated. This is the code pytest-ecsfake lets you test without waiting for any of it.
"""

from __future__ import annotations

import time
from typing import Any

import boto3

FINISHED = {"SUCCEEDED", "FAILED"}


def submit_pipeline(batch: Any, queue: str, shards: int) -> dict[str, str]:
    """Submit the three stages; their job ids by stage."""
    extract = batch.submit_job(
        jobName="extract", jobQueue=queue, jobDefinition="extract",
        retryStrategy={"attempts": 3, "evaluateOnExit": [
            {"onExitCode": "75", "action": "RETRY"},  # EX_TEMPFAIL: try again
            {"onExitCode": "*", "action": "EXIT"},
        ]},
    )["jobId"]
    transform = batch.submit_job(
        jobName="transform", jobQueue=queue, jobDefinition="transform",
        arrayProperties={"size": shards}, dependsOn=[{"jobId": extract}],
    )["jobId"]
    load = batch.submit_job(jobName="load", jobQueue=queue, jobDefinition="load",
                            dependsOn=[{"jobId": transform}])["jobId"]
    return {"extract": extract, "transform": transform, "load": load}


def run_pipeline(queue: str, *, shards: int = 4, deadline_minutes: int = 120, poll_seconds: int = 30,
                 batch: Any = None) -> dict[str, str]:
    """Run the pipeline to the end or the deadline; the final status of each stage."""
    batch = batch or boto3.client("batch")
    jobs = submit_pipeline(batch, queue, shards)
    deadline = time.monotonic() + deadline_minutes * 60
    while True:
        statuses = {j["jobId"]: j["status"] for j in batch.describe_jobs(jobs=list(jobs.values()))["jobs"]}
        if all(status in FINISHED for status in statuses.values()):
            break
        if time.monotonic() > deadline:
            for job_id, status in statuses.items():
                if status not in FINISHED:
                    batch.terminate_job(jobId=job_id, reason="pipeline deadline exceeded")
            deadline = float("inf")  # terminations take the stop timeout to land; keep polling until then
        time.sleep(poll_seconds)
    return {stage: statuses[job_id] for stage, job_id in jobs.items()}
