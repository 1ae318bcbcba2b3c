"""moto for the other services, the fake for ECS and Batch: while a fake is active, moto declines them.

moto 5 answers AWS calls from two places, and both would answer ECS and Batch before the fake sees them:

* its botocore ``before-send`` handler, one ``moto.core.botocore_stubber.BotocoreStubber`` in botocore's
  ``BUILTIN_HANDLERS``: a handler that returns a response makes botocore skip ``Endpoint._send``, where the
  fake intercepts. A class-level patch of ``BotocoreStubber.__call__`` returns None (moto declines, botocore
  goes on to the fake) for ECS and Batch calls while a fake is active, whichever of the two started first.
* its ``requests`` mock (``moto.core.models.responses_mock``): ``requests_mock`` hands the ECS and Batch
  requests that mock receives to the fake's (``is_moto_mock``).

CloudWatch Logs is shared by log group while both are active (``fake_holds_log_group``): a call about a
group the fake holds (one its tasks write to: it creates those while moto is active) is the fake's, every
other Logs call is moto's; the groups the fake creates are created in moto too, and deleting one in the fake
deletes moto's copy too (``mirror_log_group``), so moto's DescribeLogGroups lists what one CloudWatch Logs
would. With no fake active moto answers ECS and Batch as before, and nothing else of moto
changes: its state, its configuration, the other services. moto is never imported by the fake: patched at
activation when the test has imported it, else by a one-shot import hook when the test imports it while a
fake is active.

The patch needs little of moto: that class with its ``__call__(event_name, request, ...)`` and that module
attribute. If a moto release changes them, the fake says so in one line (a problem that fails the test)
rather than let moto answer ECS and Batch silently.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from functools import cache
from typing import Any

from ..core import hooks
from . import active
from .when_imported import WhenImported

# Service ids (botocore's, hyphenized, as in the event name "before-send.<id>.<Operation>") the fake answers.
SERVICE_IDS = frozenset({"ecs", "batch"})
_patched: dict[str, Any] = {}
_problem: list[str] = []  # moto's shape did not fit: said to every active fake


@cache  # compiled when first needed (~0.4 ms): only a Logs request made through requests while moto is active
def _logs_host() -> re.Pattern[str]:
    return re.compile(r"^https?://logs(?:-fips)?\.(?P<region>[a-z0-9-]+)\.", re.IGNORECASE)


def fake_holds_log_group(url: str, body: Any) -> bool:
    """Whether the CloudWatch Logs request (its URL and JSON body) names a log group the active fake holds in
    that region: then the fake answers it, with moto active too. A request that names no group (e.g.
    DescribeLogGroups) is moto's."""
    fake = active.current()
    match = _logs_host().match(url)
    if fake is None or match is None:
        return False
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        return False
    name = params.get("logGroupName") if isinstance(params, dict) else None
    identifier = params.get("logGroupIdentifier") if isinstance(params, dict) else None
    if name is None and isinstance(identifier, str):
        from ..logs.state import group_name

        name = group_name(identifier)
    state = fake._backend.regions.get(match.group("region").lower())
    logs = getattr(state, "logs", None)
    return isinstance(name, str) and logs is not None and name in logs.groups


def mirror_log_group(region: str, name: str, *, delete: bool = False) -> None:
    """Create (or delete) log group ``name`` in moto too, through moto's public API, while the fake does not hold
    it (right before the fake creates its copy for its tasks, right after the fake deleted its copy): moto
    answers the call, and its DescribeLogGroups lists what one CloudWatch Logs would."""
    import boto3

    client = boto3.client("logs", region_name=region)
    if delete:
        with contextlib.suppress(client.exceptions.ResourceNotFoundException):  # moto never had it
            client.delete_log_group(logGroupName=name)
        return
    with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):  # the usual case: made via moto
        client.create_log_group(logGroupName=name)


_EVENT_CLIENTS: dict[str, Any] = {}  # region → a boto3 EventBridge client (answered by moto), made once


def put_event(event: dict[str, Any]) -> None:
    """Put a state-change event of the fake on moto's default event bus of its region, through moto's public API,
    so that the rules and targets set up in moto receive it as they would AWS's, with the fake's time."""
    client = _EVENT_CLIENTS.get(event["region"])
    if client is None:
        import boto3

        client = _EVENT_CLIENTS[event["region"]] = boto3.client("events", region_name=event["region"])
    client.put_events(Entries=[{"Source": event["source"], "DetailType": event["detail-type"], "Time": event["time"],
                                "Resources": event["resources"], "Detail": json.dumps(event["detail"])}])


def moto_active() -> bool:
    """Whether moto's ``mock_aws`` is started (its botocore handler is enabled): it then answers CloudWatch Logs."""
    stubber = getattr(sys.modules.get("moto.core.models"), "botocore_stubber", None)
    return bool(getattr(stubber, "enabled", False))


def is_moto_mock(mock: Any) -> bool:
    """Whether ``mock`` is moto's own ``responses`` mock (moto imported, and this is its mock)."""
    models = sys.modules.get("moto.core.models")
    return models is not None and mock is getattr(models, "responses_mock", None)


def _declining(original: Any) -> Any:
    def __call__(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        parts = event_name.split(".", 2)
        if len(parts) > 1 and active.current() is not None and parts[1] in SERVICE_IDS:
            return None  # botocore goes on to Endpoint._send: the fake answers
        if len(parts) > 1 and parts[1] == "cloudwatch-logs" and fake_holds_log_group(request.url, request.body):
            return None
        return original(self, event_name, request, **kwargs)

    return __call__


def _patch() -> None:
    if _patched or _problem:
        return
    try:
        from moto.core.botocore_stubber import BotocoreStubber

        original = BotocoreStubber.__call__
        import moto.core.models as models

        models.responses_mock  # noqa: B018 - its presence is what requests_mock relies on
    except (ImportError, AttributeError) as error:
        version = getattr(sys.modules.get("moto"), "__version__", "?")
        _problem.append(
            f"pytest-ecsfake cannot keep moto {version} from answering ECS and Batch: moto's shape changed "
            f"({type(error).__name__}: {error}); please report it with your moto version"
        )
        fake = active.current()
        if fake is not None:
            fake._backend.problems.append(_problem[0])
        return
    _patched.update(cls=BotocoreStubber, call=original)
    BotocoreStubber.__call__ = _declining(original)  # type: ignore[method-assign]


_hook = WhenImported(("moto",), _patch)


def install(fake: Any) -> None:
    """At activation: patch moto if the test imported it, else when it does."""
    if "moto.core.botocore_stubber" in sys.modules:
        _patch()
    elif not _patched:
        _hook.arm()
    if _problem:
        fake._backend.problems.append(_problem[0])


def uninstall() -> None:
    _hook.disarm()
    _EVENT_CLIENTS.clear()
    if _patched:
        _patched["cls"].__call__ = _patched["call"]
        _patched.clear()


hooks.register_moto(sys.modules[__name__])  # the Logs and ECS code below ask it through core.hooks
