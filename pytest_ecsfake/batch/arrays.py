"""Array jobs [M:SubmitJobRequest.arrayProperties; FIDELITY.md "AWS Batch"]: a parent of size 2–10,000 spawns
children ``<parentId>:<index>`` (index from 0, also in ``AWS_BATCH_JOB_ARRAY_INDEX``) when it leaves
SUBMITTED. The parent stays PENDING while they run, counts them per status in ``statusSummary``, and ends
SUCCEEDED when every child succeeded, FAILED as soon as the last child finished with any failed.

Dependencies reach the children: an ``N_TO_N`` dependency on array A makes child i wait for A's child i,
``SEQUENTIAL`` makes child i wait for child i-1, and any other dependency makes every child wait for that
whole job.

This module keeps the records: it makes the children and counts them for the parent. transitions.py moves
the jobs: it resolves each new child's dependencies and ends the parent when ``child_moved`` says its last
child finished (``CHILD_FAILED`` is the reason it gives then).
"""

from __future__ import annotations

from typing import Any

from .state import FINISHED, JOB_STATUSES, BatchState, Job, grown

CHILD_FAILED = "Array Child Job failed"


def spawn(state: BatchState, parent: Job, at: float) -> None:
    """Create the parent's children at ``at`` (PENDING), each waiting for its own dependencies; the caller
    (transitions.leave_submitted) then lets each one resolve them."""
    assert parent.size is not None
    parent.summary = dict.fromkeys(JOB_STATUSES, 0)
    parent.summary["PENDING"] = parent.size
    parent.summary_at = at
    for index in range(parent.size):
        child = Job(
            id=f"{parent.id}:{index}",
            arn=f"{parent.arn}:{index}",
            name=parent.name,
            key=(parent.key[0], index + 1),
            queue=parent.queue,
            definition=parent.definition,
            created_at=at,  # "when the child job was spawned by its parent and entered the PENDING state"
            container=parent.container,
            vcpus=parent.vcpus,
            memory=parent.memory,
            parameters=parent.parameters,
            retry=parent.retry,
            timeout=parent.timeout,
            tags=parent.tags,
            propagate_tags=parent.propagate_tags,
            depends_on=[],
            scheduling_priority=parent.scheduling_priority,
            share_identifier=parent.share_identifier,
            eks=parent.eks,
            status="PENDING",
            parent=parent,
            index=index,
            consumables=parent.consumables,  # each child needs the quantities [consumables.py]
        )
        parent.children = grown(parent.children, child)
        state.jobs[child.id] = child
    for child in parent.children:
        _wire_dependencies(parent, child)


def _wire_dependencies(parent: Job, child: Job) -> None:
    assert child.index is not None
    for spec in parent.depends_on:
        kind = spec.get("type")
        if kind == "SEQUENTIAL" and "jobId" not in spec:
            if child.index == 0:
                continue
            dep = parent.children[child.index - 1]
        else:
            dep = next(j for j in parent.waits_for if j.id == spec["jobId"])
            if kind == "N_TO_N" and dep.children:
                dep = dep.children[child.index]
        child.waits_for.append(dep)
        dep.dependents = grown(dep.dependents, child)
        entry: dict[str, Any] = {"jobId": dep.id}
        if kind:
            entry["type"] = kind
        child.depends_on.append(entry)


def child_moved(child: Job, old: str, at: float) -> bool:
    """Keep the parent's statusSummary up to date; True when this was its last child to finish (the parent
    ends then: transitions.set_status)."""
    parent = child.parent
    assert parent is not None
    parent.summary[old] -= 1
    parent.summary[child.status] += 1
    parent.summary_at = at
    return child.status in FINISHED and parent.summary["SUCCEEDED"] + parent.summary["FAILED"] == parent.size
