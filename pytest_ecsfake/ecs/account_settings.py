"""ListAccountSettings, PutAccountSetting, PutAccountSettingDefault, DeleteAccountSetting, and ``effective``
for the operations a setting changes (CreateCluster reads ``containerInsights``).

Settings are kept per region (the ECS state) by principal ARN. The root user's settings are the account
defaults: "If the account setting for the root user is changed, it sets the default for all the users and
roles that no individual account setting was selected for" [DG:ecs-account-settings], so
PutAccountSettingDefault writes the root user's setting. The caller is the account's root user
(``arn:aws:iam::<account>:root``): the fake has no IAM, and its test credentials stand for the account.
Choices where AWS is silent: docs/fidelity-settings.md.
"""

from __future__ import annotations

from typing import Any

from ..core.context import Context
from ..core.errors import InvalidParameterException
from ..core.paging import page, with_token
from ..core.registry import handler

_SWITCH = ("enabled", "disabled")
# Every name of the model's SettingName enum, in its order: AWS's default and the values it accepts. Defaults
# from the developer guide's "Account settings" page and the model's PutAccountSetting documentation:
# the long ARN formats are "enabled"; Container Insights, trunking, FIPS and event windows are off until asked
# for; tagging authorization is "on"; Fargate waits 7 days before retiring a task; the log driver mode is
# non-blocking since June 25, 2025 [M:PutAccountSetting.name].
SETTINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "serviceLongArnFormat": ("enabled", _SWITCH),
    "taskLongArnFormat": ("enabled", _SWITCH),
    "containerInstanceLongArnFormat": ("enabled", _SWITCH),
    "awsvpcTrunking": ("disabled", _SWITCH),
    "containerInsights": ("disabled", ("enabled", "disabled", "enhanced")),
    "fargateFIPSMode": ("disabled", _SWITCH),
    "tagResourceAuthorization": ("on", ("on", "off")),
    "fargateTaskRetirementWaitPeriod": ("7", ("0", "7", "14")),
    "guardDutyActivate": ("off", ("on", "off")),
    "defaultLogDriverMode": ("non-blocking", ("blocking", "non-blocking")),
    "fargateEventWindows": ("disabled", _SWITCH),
}
# "Currently, the guardDutyActivate account setting is the only one Amazon Web Services manages" [M:Setting.type].
AWS_MANAGED = ("guardDutyActivate",)
# Settings PutAccountSetting's documentation does not list: they are set with PutAccountSettingDefault only.
DEFAULT_ONLY = ("fargateFIPSMode",)
# "You must use the root user when you set the Fargate wait time" [M:PutAccountSetting.principalArn].
ROOT_ONLY = ("fargateTaskRetirementWaitPeriod",)
# AWS's message for a value the setting does not take (CloudTrail in hashicorp/terraform-provider-aws#32114,
# and aws/aws-cli#3785 for 'ENABLED': values are case-sensitive).
INVALID_VALUE = "Invalid setting 'value'"


def root(ctx: Context) -> str:
    return f"arn:aws:iam::{ctx.account_id}:root"


def _own(ctx: Context, principal: str) -> dict[str, str]:
    mine: dict[str, str] = ctx.ecs.account_settings.get(principal, {})
    return mine


def effective(ctx: Context, name: str, principal: str | None = None) -> str:
    """The value ``name`` has for ``principal`` (the caller when None): its own setting, else the account
    default (the root user's setting), else AWS's default."""
    principal = principal or root(ctx)
    for owner in (principal, root(ctx)):
        if name in _own(ctx, owner):
            return _own(ctx, owner)[name]
    return SETTINGS[name][0]


def _setting(name: str, value: str, principal: str) -> dict[str, str]:
    return {"name": name, "value": value, "principalArn": principal,
            "type": "aws_managed" if name in AWS_MANAGED else "user"}


def _check_writable(name: str, value: str | None) -> None:
    if name in AWS_MANAGED:
        # The setting is read-only [M:Setting.type]; AWS's wording for the refusal is not known.
        raise InvalidParameterException(
            f"The {name} account setting is managed by AWS and is read-only.")
    if value is not None and value not in SETTINGS[name][1]:
        raise InvalidParameterException(INVALID_VALUE)


def _put(ctx: Context, name: str, value: str, principal: str) -> dict[str, Any]:
    ctx.ecs.account_settings.setdefault(principal, {})[name] = value
    return {"setting": _setting(name, value, principal)}


@handler("ecs", "PutAccountSetting")
def put_account_setting(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    name, value = req["name"], req["value"]
    principal = req.get("principalArn") or root(ctx)
    _check_writable(name, value)
    # Rules the reference states and AWS is not known to refuse: answered, recorded on the call (Context.documented).
    if name in DEFAULT_ONLY:
        # PutAccountSetting's documentation leaves fargateFIPSMode out; PutAccountSettingDefault's lists it.
        ctx.documented(f"{name} is set with PutAccountSettingDefault (documented: [M:PutAccountSettingDefault.name])")
    if name in ROOT_ONLY and principal != root(ctx):
        ctx.documented(f"{name} can be set for the root user only (documented: [M:PutAccountSetting.principalArn])")
    if ":federated-user/" in principal:
        ctx.documented("federated users can't have explicit account settings (documented: \"Federated users assume "
                       "the account setting of the root user and can't have explicit account settings set for "
                       "them.\" [M:PutAccountSetting.principalArn])")
    return _put(ctx, name, value, principal)


@handler("ecs", "PutAccountSettingDefault")
def put_account_setting_default(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    _check_writable(req["name"], req["value"])
    return _put(ctx, req["name"], req["value"], root(ctx))


@handler("ecs", "DeleteAccountSetting")
def delete_account_setting(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """The principal's own setting goes: it has the account default (or AWS's) again. The answer is the
    setting deleted; with nothing to delete, the value the principal has (the fake's choice)."""
    name = req["name"]
    principal = req.get("principalArn") or root(ctx)
    _check_writable(name, None)
    own = ctx.ecs.account_settings.get(principal, {})
    value = own.pop(name, None)
    if not own:
        ctx.ecs.account_settings.pop(principal, None)
    return {"setting": _setting(name, value if value is not None else effective(ctx, name, principal), principal)}


@handler("ecs", "ListAccountSettings")
def list_account_settings(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """Without ``effectiveSettings``: the settings set for the principal itself (for the root user, the
    account defaults it set). With it: every setting, as it applies to the principal [M:ListAccountSettings]."""
    name, value = req.get("name"), req.get("value")
    if value is not None and name is None:  # answered (filtered by value), recorded on the call
        ctx.documented("value needs name (documented: \"You must also specify an account setting name to use this "
                       "parameter.\" [M:ListAccountSettingsRequest.value])")
    principal = req.get("principalArn") or root(ctx)
    names = [n for n in SETTINGS if name in (None, n)]
    if req.get("effectiveSettings"):
        found = [_setting(n, effective(ctx, n, principal), principal) for n in names]
    else:
        own = _own(ctx, principal)
        found = [_setting(n, own[n], principal) for n in names if n in own]
    found = [s for s in found if value in (None, s["value"])]
    # Without maxResults ListAccountSettings answers up to 10 settings a page [M:ListAccountSettings.maxResults].
    chunk, token = page(found, req, "ListAccountSettings", InvalidParameterException, default_max=10)
    return with_token({"settings": chunk}, token)
