"""AWS Batch: compute environments, job queues, job definitions and jobs, each job attempt an ECS task.
Importing registers the handlers."""

from __future__ import annotations

from . import compute_environments, job_definitions, job_queues, jobs, listing, stopping, tags

__all__ = ["compute_environments", "job_definitions", "job_queues", "jobs", "listing", "stopping", "tags"]
