"""Per-cluster task indexes, so ListTasks pages and counts never scan every task of a region.

Tasks are kept per desired status ("RUNNING" / "STOPPED") as a sorted list of creation sequence numbers;
a page resumes by bisecting to the sequence number after the last one returned.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .task_model import Task

_ARN = attrgetter("arn")


class TaskIndex:
    def __init__(self) -> None:
        self._seqs: dict[str, list[int]] = {"RUNNING": [], "STOPPED": []}
        self._tasks: dict[int, Task] = {}

    def add(self, task: Task) -> None:
        self._tasks[task.seq] = task
        bisect.insort(self._seqs[task.desired_status], task.seq)

    def _drop(self, desired: str, seq: int) -> None:
        seqs = self._seqs[desired]
        at = bisect.bisect_left(seqs, seq)
        if at < len(seqs) and seqs[at] == seq:
            del seqs[at]

    def move(self, task: Task, old_desired: str) -> None:
        self._drop(old_desired, task.seq)
        bisect.insort(self._seqs[task.desired_status], task.seq)

    def remove(self, task: Task) -> None:
        self._drop(task.desired_status, task.seq)
        self._tasks.pop(task.seq, None)

    def count(self, desired: str) -> int:
        return len(self._seqs[desired])

    def iter_after(self, desired: str, after: int) -> Iterator[Task]:
        seqs = self._seqs[desired]
        for index in range(bisect.bisect_right(seqs, after), len(seqs)):
            yield self._tasks[seqs[index]]

    def page(self, desired: str, after: int, keep: Callable[[Task], bool] | None,
             size: int) -> tuple[list[Task], bool]:
        """Up to ``size`` tasks after sequence ``after`` that ``keep`` accepts (all when None), and whether
        more follow."""
        if keep is None:
            seqs = self._seqs[desired]
            start = bisect.bisect_right(seqs, after)
            tasks = self._tasks
            return [tasks[seq] for seq in seqs[start:start + size]], start + size < len(seqs)
        found: list[Task] = []
        for task in self.iter_after(desired, after):
            if keep(task):
                if len(found) == size:
                    return found, True
                found.append(task)
        return found, False

    def page_arns(self, desired: str, after: int, size: int) -> tuple[list[str], int | None]:
        """The ARNs of up to ``size`` tasks after sequence ``after`` (no filter), and the sequence number of the
        last one when more follow (else None): built in C, no Python line per task."""
        seqs = self._seqs[desired]
        start = bisect.bisect_right(seqs, after)
        chosen = seqs[start:start + size]
        arns = list(map(_ARN, map(self._tasks.__getitem__, chosen)))
        return arns, chosen[-1] if chosen and start + size < len(seqs) else None
