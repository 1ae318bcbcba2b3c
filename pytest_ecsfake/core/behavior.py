"""How containers behave: set with ``fake.behavior(match, ...)``, matched by image or container name.

Shared by ECS tasks and Batch jobs (every Batch attempt runs as an ECS task).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .records import FrozenRecord

SIGTERM_EXIT = 143  # 128 + SIGTERM (15): the default action of the signal, for a process without a handler

# One line a container writes: (seconds after it started, or None for "at start", the text).
LogLine = tuple[float | None, str]


class Behavior(FrozenRecord):
    """``runs_for``: seconds until the container exits by itself (None: runs until stopped), with
    ``exit_code``. On SIGTERM it exits with ``sigterm_exit_code`` (143: a process with no SIGTERM handler dies of
    the signal, 128 + 15; 0: an app that handles it) after ``stop_takes`` seconds, unless ``ignores_sigterm`` or
    ``stop_takes`` >= the stop timeout: then SIGKILL at the timeout, exit code 137. ``pull_error``: the
    image pull fails with this message. ``logs``: the lines it writes, at start or ``(seconds, line)`` after
    it (see ``ecs/container_output``)."""

    runs_for: float | None
    exit_code: int
    stop_takes: float
    ignores_sigterm: bool
    pull_error: str | None
    logs: tuple[LogLine, ...]
    sigterm_exit_code: int

    def __init__(self, runs_for: float | None = None, exit_code: int = 0, stop_takes: float = 0.0,
                 ignores_sigterm: bool = False, pull_error: str | None = None, logs: tuple[LogLine, ...] = (),
                 sigterm_exit_code: int = SIGTERM_EXIT) -> None:
        vars(self).update(runs_for=runs_for, exit_code=exit_code, stop_takes=stop_takes,
                          ignores_sigterm=ignores_sigterm, pull_error=pull_error, logs=logs,
                          sigterm_exit_code=sigterm_exit_code)


DEFAULT_BEHAVIOR = Behavior()


def behavior_for(behaviors: dict[str, Behavior], image: str, name: str) -> Behavior:
    """The behaviour for a container: an exact image match first, then its name, else the default."""
    return behaviors.get(image) or behaviors.get(name) or DEFAULT_BEHAVIOR


def _log_lines(logs: Any) -> tuple[LogLine, ...]:
    """``logs`` as given (None, or a list of lines and ``(seconds_after_start, line)`` pairs), checked."""
    if logs is None:
        return ()
    if isinstance(logs, (str, bytes)) or not isinstance(logs, Sequence):
        raise TypeError(f"behavior(logs=...) takes a list of lines (str or (seconds_after_start, str)), got {logs!r}")
    lines: list[LogLine] = []
    for item in logs:
        if isinstance(item, str):
            lines.append((None, item))
            continue
        # A pair: a tuple, or a JSON list from the HTTP server's /_ecsfake/behavior.
        if isinstance(item, (tuple, list)) and len(item) == 2:
            seconds, line = item
            if (not isinstance(seconds, bool) and isinstance(seconds, (int, float)) and 0 <= seconds < math.inf
                    and isinstance(line, str)):
                lines.append((float(seconds), line))
                continue
        raise TypeError(f"behavior(logs=...) takes lines as str or (seconds_after_start >= 0, str), got {item!r}")
    return tuple(lines)


def _seconds(name: str, value: Any, takes: str) -> None:
    """A duration: TypeError for what is not a number, ValueError for a number out of range (negative, NaN,
    infinite: a container that stops "after NaN seconds" would stay STOPPING forever)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"behavior({name}=...) takes {takes}, got {value!r}")
    if not 0 <= value < math.inf:
        raise ValueError(f"behavior({name}=...) takes {takes} (a finite number), got {value!r}")


def _exit_code(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 255:
        raise TypeError(f"behavior({name}=...) takes an int from 0 to 255, got {value!r}")
    return value


def make_behavior(runs_for: float | None, exit_code: int, stop_takes: float, ignores_sigterm: bool,
                  pull_error: str | None, logs: Sequence[str | tuple[float, str]] | None = None,
                  sigterm_exit_code: int = SIGTERM_EXIT) -> Behavior:
    if runs_for is not None:
        _seconds("runs_for", runs_for, "seconds >= 0 or None")
    _exit_code("exit_code", exit_code)
    _exit_code("sigterm_exit_code", sigterm_exit_code)
    _seconds("stop_takes", stop_takes, "seconds >= 0")
    if pull_error is not None and not isinstance(pull_error, str):
        raise TypeError(f"behavior(pull_error=...) takes a message str or None, got {pull_error!r}")
    return Behavior(None if runs_for is None else float(runs_for), exit_code, float(stop_takes),
                    bool(ignores_sigterm), pull_error, _log_lines(logs), sigterm_exit_code)
