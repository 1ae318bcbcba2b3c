"""Container dependencies inside a task: ``dependsOn`` of a container definition [M:ContainerDependency;
DG:task_definition_parameters "Container dependency"].

When the task starts its containers, one with ``dependsOn`` waits (PENDING) until every condition holds:

* ``START``: the container it depends on has started (is RUNNING, or has run);
* ``COMPLETE``: that container has exited, whatever its exit code;
* ``SUCCESS``: that container has exited with 0;
* ``HEALTHY``: taken as ``START`` (the fake runs no health checks: every container's health is UNKNOWN).

A condition that can no longer hold (a SUCCESS dependency exited non-zero; a dependency stopped without ever
running) means the waiting container never starts: it is STOPPED without exit code, with a reason naming the
dependency (the fake's wording: ECS's is not known), and the task stops if it was essential. lifecycle.py asks
``ready``/``blocked`` when it starts the containers and whenever one exits.
"""

from __future__ import annotations

from typing import Any

from .task_model import Container, Task


def _depends_on(task: Task, container: Container) -> list[dict[str, Any]]:
    for definition in task.definition.body.get("containerDefinitions", []):
        if definition.get("name") == container.name:
            found: list[dict[str, Any]] = definition.get("dependsOn") or []
            return found
    return []


def _by_name(task: Task, name: str) -> Container | None:
    return next((c for c in task.containers if c.name == name), None)


def _holds(dependency: Container, condition: str) -> bool | None:
    """True when the condition holds, False when it can't any more, None while it may still."""
    started = dependency.runtime_id is not None
    exited = dependency.last_status == "STOPPED"
    if condition in ("START", "HEALTHY"):
        if started:
            return True
        return False if exited else None
    if not exited:
        return None
    if not started or dependency.exit_code is None:
        return False
    if condition == "SUCCESS":
        return dependency.exit_code == 0
    return True  # COMPLETE


def state(task: Task, container: Container) -> tuple[bool | None, str | None]:
    """(True, None) when ``container`` may start now, (None, None) while it waits, (False, reason) when it
    never can."""
    waiting = False
    for spec in _depends_on(task, container):
        dependency = _by_name(task, str(spec.get("containerName")))
        if dependency is None:
            continue  # RegisterTaskDefinition checks the names; an unknown one is no dependency
        condition = str(spec.get("condition", "START")).upper()
        holds = _holds(dependency, condition)
        if holds is False:
            # The fake's wording (ECS's for this is not known).
            return False, f"Dependency condition {condition} of container {dependency.name} was not met"
        if holds is None:
            waiting = True
    return (None, None) if waiting else (True, None)


def has_dependencies(task: Task) -> bool:
    return any(d.get("dependsOn") for d in task.definition.body.get("containerDefinitions", []))
