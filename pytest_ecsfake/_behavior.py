"""How containers behave: set with ``fake.behavior(match, ...)``, matched by image or container name.

Shared by ECS tasks and Batch jobs (every Batch attempt runs as an ECS task).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Behavior:
    """``runs_for``: seconds until the container exits by itself (None: runs until stopped), with
    ``exit_code``. On SIGTERM it exits 0 after ``stop_takes`` seconds, unless ``ignores_sigterm`` or
    ``stop_takes`` >= the stop timeout: then SIGKILL at the timeout, exit code 137. ``pull_error``: the
    image pull fails with this message."""

    runs_for: float | None = None
    exit_code: int = 0
    stop_takes: float = 0.0
    ignores_sigterm: bool = False
    pull_error: str | None = None


DEFAULT_BEHAVIOR = Behavior()


def behavior_for(behaviors: dict[str, Behavior], image: str, name: str) -> Behavior:
    """The behaviour for a container: an exact image match first, then its name, else the default."""
    return behaviors.get(image) or behaviors.get(name) or DEFAULT_BEHAVIOR


def make_behavior(runs_for: float | None, exit_code: int, stop_takes: float, ignores_sigterm: bool,
                  pull_error: str | None) -> Behavior:
    if runs_for is not None and (isinstance(runs_for, bool) or not isinstance(runs_for, (int, float)) or runs_for < 0):
        raise TypeError(f"behavior(runs_for=...) takes seconds >= 0 or None, got {runs_for!r}")
    if isinstance(exit_code, bool) or not isinstance(exit_code, int) or not 0 <= exit_code <= 255:
        raise TypeError(f"behavior(exit_code=...) takes an int from 0 to 255, got {exit_code!r}")
    if isinstance(stop_takes, bool) or not isinstance(stop_takes, (int, float)) or stop_takes < 0:
        raise TypeError(f"behavior(stop_takes=...) takes seconds >= 0, got {stop_takes!r}")
    if pull_error is not None and not isinstance(pull_error, str):
        raise TypeError(f"behavior(pull_error=...) takes a message str or None, got {pull_error!r}")
    return Behavior(None if runs_for is None else float(runs_for), exit_code, float(stop_takes),
                    bool(ignores_sigterm), pull_error)
