"""AWS Batch: compute environments, job queues, job definitions and jobs. Importing registers the handlers."""

from __future__ import annotations
