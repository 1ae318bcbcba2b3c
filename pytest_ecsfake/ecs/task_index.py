"""Per-cluster task indexes, so ListTasks pages and counts never scan every task of a region.

Tasks are kept per desired status ("RUNNING" / "STOPPED") as a sorted list of creation sequence numbers,
and beside it the list of their ARNs in the same order; a page resumes by bisecting to the sequence number
after the last one returned. An unfiltered page is then two slices: it reads none of the tasks themselves
(with 100,000 tasks in memory, reading each task of a page cost more than the page).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .task_model import Task


class TaskIndex:
    def __init__(self) -> None:
        self._seqs: dict[str, list[int]] = {"RUNNING": [], "STOPPED": []}
        self._arns: dict[str, list[str]] = {"RUNNING": [], "STOPPED": []}  # the ARNs in the order of _seqs
        self._tasks: dict[int, Task] = {}

    def add(self, task: Task) -> None:
        self._tasks[task.seq] = task
        self._insert(task)

    def _insert(self, task: Task) -> None:
        seqs = self._seqs[task.desired_status]
        seq = task.seq
        if not seqs or seqs[-1] < seq:  # the usual case: the newest task
            seqs.append(seq)
            self._arns[task.desired_status].append(task.arn)
            return
        at = bisect.bisect_right(seqs, seq)
        seqs.insert(at, seq)
        self._arns[task.desired_status].insert(at, task.arn)

    def _drop(self, desired: str, seq: int) -> None:
        seqs = self._seqs[desired]
        at = bisect.bisect_left(seqs, seq)
        if at < len(seqs) and seqs[at] == seq:
            del seqs[at]
            del self._arns[desired][at]

    def move(self, task: Task, old_desired: str) -> None:
        self._drop(old_desired, task.seq)
        self._insert(task)

    def remove(self, task: Task) -> None:
        self._drop(task.desired_status, task.seq)
        self._tasks.pop(task.seq, None)

    def count(self, desired: str) -> int:
        return len(self._seqs[desired])

    def iter_after(self, desired: str, after: int) -> Iterator[Task]:
        seqs = self._seqs[desired]
        for index in range(bisect.bisect_right(seqs, after), len(seqs)):
            yield self._tasks[seqs[index]]

    def page(self, desired: str, after: int, keep: Callable[[Task], bool], size: int) -> tuple[list[Task], bool]:
        """Up to ``size`` tasks after sequence ``after`` that ``keep`` accepts, and whether more follow (without a
        filter: ``page_arns``)."""
        found: list[Task] = []
        for task in self.iter_after(desired, after):
            if keep(task):
                if len(found) == size:
                    return found, True
                found.append(task)
        return found, False

    def page_arns(self, desired: str, after: int, size: int) -> tuple[list[str], int | None]:
        """The ARNs of up to ``size`` tasks after sequence ``after`` (no filter), and the sequence number of the
        last one when more follow (else None): slices, no Python line per task and no task read."""
        seqs = self._seqs[desired]
        start = bisect.bisect_right(seqs, after)
        end = min(start + size, len(seqs))
        return self._arns[desired][start:end], seqs[end - 1] if start < end < len(seqs) else None
