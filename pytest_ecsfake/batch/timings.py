"""Default durations of AWS Batch phases, in seconds of fake time (see ways_in/options.py).

AWS documents the order of these phases, not their lengths. The defaults are plausible figures: a compute
environment is VALID within half a minute, and a job on Fargate is RUNNING about 25 s after SubmitJob (2 s
until the scheduler sees it, 5 s until it is placed, then the ECS task's own launch phases). Every attempt is
an ECS task, so the ECS task timings (``provisioning``, ``pull``, ...) apply to jobs too.
"""

from __future__ import annotations

BATCH_TIMINGS: dict[str, float] = {
    # Compute environments and job queues: the status change each request starts.
    "batch_compute_environment_create": 20.0,  # CREATING → VALID (its ECS cluster appears)
    "batch_compute_environment_update": 10.0,  # UPDATING → VALID
    "batch_compute_environment_delete": 20.0,  # DELETING → gone (its ECS cluster becomes INACTIVE)
    "batch_job_queue_create": 5.0,  # CREATING → VALID
    "batch_job_queue_update": 5.0,  # UPDATING → VALID
    "batch_job_queue_delete": 10.0,  # DELETING → gone
    # Jobs.
    "batch_submitted": 2.0,  # SUBMITTED → PENDING or RUNNABLE: the scheduler picks the job up
    "batch_scheduling": 5.0,  # RUNNABLE → STARTING at the earliest, once capacity is free
    "batch_job_retention": 604800.0,  # a finished job stays visible to DescribeJobs/ListJobs this long (7 days)
    # EKS jobs (pods.py): STARTING → the pod's (init) containers run: pod bound to its node, images pulled.
    "batch_eks_pod_start": 8.0,
    # Service jobs (service_runs.py): SageMaker training jobs dispatched by Batch.
    "batch_service_job_scheduled": 10.0,  # SCHEDULED → STARTING: the training job was created
    "batch_service_job_starting": 60.0,  # STARTING → RUNNING: instances launched, training image downloaded
    "batch_service_job_run": 300.0,  # RUNNING → SUCCEEDED for a training image without fake.behavior(...)
    "batch_service_job_stop": 30.0,  # a stopped (terminated or timed-out) training job ends this long after
}
