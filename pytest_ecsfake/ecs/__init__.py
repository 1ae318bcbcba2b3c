"""ECS: resources, their handlers and the task lifecycle. Importing registers the handlers."""

from __future__ import annotations

from . import clusters, tags, task_definitions, tasks
from . import container_instances as container_instances
from . import services as services

__all__ = ["clusters", "tags", "task_definitions", "tasks"]
