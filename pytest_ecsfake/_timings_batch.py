"""Default durations of AWS Batch phases, in seconds of fake time (see _timings.py)."""

from __future__ import annotations

BATCH_TIMINGS: dict[str, float] = {}
