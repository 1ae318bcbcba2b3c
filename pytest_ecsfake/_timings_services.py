"""Default durations of the ECS service scheduler's steps, in seconds of fake time (see _timings.py)."""

from __future__ import annotations

SERVICE_TIMINGS: dict[str, float] = {}
