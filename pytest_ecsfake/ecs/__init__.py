"""ECS: resources, their handlers, and (later) the task lifecycle. Importing registers the handlers."""

from __future__ import annotations

from . import clusters, tags, task_definitions

__all__ = ["clusters", "tags", "task_definitions"]
