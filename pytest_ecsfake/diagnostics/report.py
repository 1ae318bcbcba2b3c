"""The ``ecsfake`` section of a failing test's report: the calls in order (with the API reference's rules
each request broke), and each task's timeline.

Short enough to read (request summaries are cut, long lists are elided), complete enough to debug: every
call with its fake time and outcome, every task with its states, exit codes and stop code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.clock import from_epoch
from ..core.state_events import seconds as from_iso

if TYPE_CHECKING:
    from ..core.backend import Backend

MAX_CALLS = 60
SUMMARY = 90


def _summary(request: dict[str, Any]) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in request.items())
    return text if len(text) <= SUMMARY else text[: SUMMARY - 1] + "…"


def _time(at: float, origin: float) -> str:
    return f"+{at - origin:8.1f}s"


def render(backend: Backend, origin: float) -> str:
    lines = [f"fake clock started at {from_epoch(origin).isoformat()}; times below are offsets from it", "calls:"]
    calls = backend.calls
    shown = calls if len(calls) <= MAX_CALLS else calls[: MAX_CALLS // 2] + calls[-MAX_CALLS // 2 :]
    for index, call in enumerate(shown):
        if len(calls) > MAX_CALLS and index == MAX_CALLS // 2:
            lines.append(f"  … {len(calls) - MAX_CALLS} calls not shown …")
        at = call.at.timestamp()
        outcome = f"{call.status} {call.error}" if call.error else str(call.status)
        name = f"{call.service}:{call.operation}"
        lines.append(f"  {_time(at, origin)}  {call.region:<14} {name:<32} {outcome:<32} {_summary(call.request)}")
        lines.extend(f"      rule broken: {line}" for line in call.violations)
        lines.extend(_elsewhere(backend, call))
    if not calls:
        lines.append("  (none)")
    emitted = _events_by_resource(backend)
    timelines = list(_task_timelines(backend, origin, emitted))
    if timelines:
        lines.append("tasks:")
        lines.extend(timelines)
    jobs = list(_job_timelines(backend, origin, emitted))
    if jobs:
        lines.append("batch jobs:")
        lines.extend(jobs)
    return "\n".join(lines)


def _missing_clusters(call: Any) -> list[str]:
    """The cluster names a call did not find in its region: ClusterNotFoundException, or MISSING failures."""
    if call.service != "ecs":
        return []
    if call.error == "ClusterNotFoundException":
        ref = call.request.get("cluster") or "default"
        return [ref.rsplit("/", 1)[-1]] if isinstance(ref, str) else []
    if call.operation == "DescribeClusters" and call.error is None:
        failures = (call.response or {}).get("failures") or []
        return [f["arn"].rsplit("/", 1)[-1] for f in failures if f.get("reason") == "MISSING" and f.get("arn")]
    return []


def _elsewhere(backend: Backend, call: Any) -> Any:
    """A line for each missing cluster that exists in another region of the fake: the usual cause is a client
    made for another region. AWS's own answer stays as it is; the hint is only here."""
    for name in _missing_clusters(call):
        regions = sorted(region for region, state in backend.regions.items()
                         if region != call.region and state.ecs is not None
                         and getattr(state.ecs.clusters.get(name), "status", None) == "ACTIVE")
        if regions:
            yield (f"      hint: cluster {name!r} exists in {', '.join(regions)}, not in {call.region}, where this "
                   "call went: is the client made for the right region?")


def _events_by_resource(backend: Backend) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for event in backend.state_events.all(backend):
        for arn in event["resources"]:
            found.setdefault(arn, []).append(event)
    return found


def _events_line(events: list[dict[str, Any]], origin: float) -> list[str]:
    """One compact line: how many EventBridge events, and the status each carried (with the task's version)."""
    if not events:
        return []
    steps = []
    for event in events:
        detail, at = event["detail"], from_iso(event["time"])
        status = detail.get("lastStatus") or detail.get("status")
        if "desiredStatus" in detail:
            status = f"{status}/{detail['desiredStatus']} v{detail.get('version')}"
        steps.append(f"{status} +{at - origin:.0f}s")
    return [f"      events: {len(events)} × {events[0]['detail-type']}: {', '.join(steps)}"]


def _job_timelines(backend: Backend, origin: float, emitted: dict[str, list[dict[str, Any]]]) -> Any:
    for state in backend.regions.values():
        if state.batch is None:
            continue
        for job in state.batch.jobs.values():
            if job.parent is not None:
                continue  # array children are summarised on their parent
            steps = " → ".join(f"{status} +{at - origin:.1f}s"
                               for at, status in [(job.created_at, "SUBMITTED"), *job.history])
            yield f"  {job.name} ({job.id[:8]}, {job.queue.name}): {steps}"
            facts = []
            tried: list[Any] = [*job.attempts, *job.pods]  # ECS tasks, or an EKS job's pods
            codes = [a.exit_code for a in tried if a.exit_code is not None]
            if tried:
                facts.append(f"{len(tried)} attempt(s)" + (f", exit codes {codes}" if codes else ""))
            if job.children:
                facts.append(f"array of {len(job.children)}: {job.summary}")
            if job.status_reason:
                facts.append(f"statusReason {job.status_reason!r}")
            if facts:
                yield "      " + "; ".join(facts)
            yield from _events_line(emitted.get(job.arn, []), origin)


def _task_timelines(backend: Backend, origin: float, emitted: dict[str, list[dict[str, Any]]]) -> Any:
    for state in backend.regions.values():
        if state.ecs is None:
            continue
        for task in state.ecs.tasks.values():
            steps = " → ".join(f"{status} +{at - origin:.1f}s" for at, status in task.history)
            definition = f"{task.definition.family}:{task.definition.revision}"
            yield f"  {task.cluster.name}/{task.id[:8]} ({definition}): {steps}"
            exits = ", ".join(f"{c.name}={c.exit_code}" for c in task.containers if c.exit_code is not None)
            facts = [f"exit codes {exits}"] if exits else []
            if task.stop_code:
                facts.append(f"stopCode {task.stop_code} ({task.stopped_reason})")
            if facts:
                yield "      " + "; ".join(facts)
            yield from _events_line(emitted.get(task.arn, []), origin)
