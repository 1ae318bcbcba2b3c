"""ListAccountSettings, PutAccountSetting, PutAccountSettingDefault, DeleteAccountSetting."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from pytest_ecsfake import EcsFake

ROOT = "arn:aws:iam::123456789012:root"
ALICE = "arn:aws:iam::123456789012:user/alice"
DEFAULTS = {
    "serviceLongArnFormat": "enabled",
    "taskLongArnFormat": "enabled",
    "containerInstanceLongArnFormat": "enabled",
    "awsvpcTrunking": "disabled",
    "containerInsights": "disabled",
    "fargateFIPSMode": "disabled",
    "tagResourceAuthorization": "on",
    "fargateTaskRetirementWaitPeriod": "7",
    "guardDutyActivate": "off",
    "defaultLogDriverMode": "non-blocking",
    "fargateEventWindows": "disabled",
}


def effective(ecs: Any, **filters: Any) -> dict[str, tuple[str, str, str]]:
    """Every effective setting, through the paginator: name → (value, principalArn, type)."""
    pages = ecs.get_paginator("list_account_settings").paginate(effectiveSettings=True, **filters)
    return {s["name"]: (s["value"], s["principalArn"], s["type"]) for p in pages for s in p["settings"]}


def test_a_fresh_account_has_aws_defaults_and_no_explicit_setting(ecs: Any) -> None:
    assert ecs.list_account_settings()["settings"] == []
    found = effective(ecs)
    assert {name: value for name, (value, _, _) in found.items()} == DEFAULTS
    assert {principal for _, principal, _ in found.values()} == {ROOT}
    assert {name for name, (_, _, kind) in found.items() if kind == "aws_managed"} == {"guardDutyActivate"}


def test_effective_settings_come_ten_to_a_page(ecs: Any) -> None:
    first = ecs.list_account_settings(effectiveSettings=True)
    assert len(first["settings"]) == 10 and "nextToken" in first  # 11 settings, up to 10 a page
    second = ecs.list_account_settings(effectiveSettings=True, nextToken=first["nextToken"])
    assert [s["name"] for s in second["settings"]] == ["fargateEventWindows"] and "nextToken" not in second
    small = ecs.list_account_settings(effectiveSettings=True, maxResults=4)
    assert len(small["settings"]) == 4


def test_put_account_setting_without_principal_sets_the_caller_s_which_is_the_account_default(ecs: Any) -> None:
    answer = ecs.put_account_setting(name="containerInsights", value="enhanced")
    assert answer["setting"] == {"name": "containerInsights", "value": "enhanced", "principalArn": ROOT,
                                 "type": "user"}
    assert ecs.list_account_settings()["settings"] == [answer["setting"]]
    # The root user's setting is every other principal's default.
    assert effective(ecs, principalArn=ALICE, name="containerInsights") == {
        "containerInsights": ("enhanced", ALICE, "user")}
    assert ecs.list_account_settings(principalArn=ALICE)["settings"] == []


def test_a_principal_s_own_setting_wins_over_the_default_and_delete_restores_it(ecs: Any) -> None:
    ecs.put_account_setting_default(name="awsvpcTrunking", value="enabled")
    mine = ecs.put_account_setting(name="awsvpcTrunking", value="disabled", principalArn=ALICE)["setting"]
    assert mine == {"name": "awsvpcTrunking", "value": "disabled", "principalArn": ALICE, "type": "user"}
    assert effective(ecs, principalArn=ALICE)["awsvpcTrunking"][0] == "disabled"
    assert effective(ecs)["awsvpcTrunking"][0] == "enabled"
    assert ecs.list_account_settings(principalArn=ALICE)["settings"] == [mine]
    deleted = ecs.delete_account_setting(name="awsvpcTrunking", principalArn=ALICE)["setting"]
    assert deleted["value"] == "disabled" and deleted["principalArn"] == ALICE
    assert effective(ecs, principalArn=ALICE)["awsvpcTrunking"][0] == "enabled"
    # Deleting the account default brings AWS's default back.
    ecs.delete_account_setting(name="awsvpcTrunking")
    assert effective(ecs, principalArn=ALICE)["awsvpcTrunking"][0] == "disabled"
    assert ecs.list_account_settings()["settings"] == []


def test_put_account_setting_default_answers_the_root_user_s_setting(ecs: Any) -> None:
    answer = ecs.put_account_setting_default(name="fargateTaskRetirementWaitPeriod", value="14")["setting"]
    assert answer == {"name": "fargateTaskRetirementWaitPeriod", "value": "14", "principalArn": ROOT,
                      "type": "user"}
    assert ecs.put_account_setting_default(name="fargateFIPSMode", value="enabled")["setting"]["value"] == "enabled"
    assert effective(ecs, principalArn=ALICE)["fargateFIPSMode"][0] == "enabled"


def test_filters_on_name_and_value(ecs: Any) -> None:
    ecs.put_account_setting(name="tagResourceAuthorization", value="off")
    ecs.put_account_setting(name="defaultLogDriverMode", value="blocking")
    names = [s["name"] for s in ecs.list_account_settings()["settings"]]
    assert names == ["tagResourceAuthorization", "defaultLogDriverMode"]  # the model's order
    assert [s["value"] for s in ecs.list_account_settings(name="defaultLogDriverMode")["settings"]] == ["blocking"]
    assert ecs.list_account_settings(name="defaultLogDriverMode", value="non-blocking")["settings"] == []
    only = ecs.list_account_settings(name="containerInsights", value="disabled", effectiveSettings=True)
    assert [s["name"] for s in only["settings"]] == ["containerInsights"]
    # A value filter "needs" a name, says the reference only: answered, filtered by value, recorded on the call.
    by_value = ecs.list_account_settings(value="enabled", effectiveSettings=True)["settings"]
    assert by_value and {s["value"] for s in by_value} == {"enabled"}


@pytest.mark.parametrize(("name", "value"), [
    ("taskLongArnFormat", "ENABLED"),  # values are case-sensitive (aws/aws-cli#3785)
    ("tagResourceAuthorization", "enabled"),  # it takes on/off (hashicorp/terraform-provider-aws#32114)
    ("fargateTaskRetirementWaitPeriod", "3"),
    ("containerInsights", "on"),
    ("defaultLogDriverMode", "enabled"),
])
def test_a_value_the_setting_does_not_take_is_refused_with_aws_s_message(ecs: Any, name: str, value: str) -> None:
    with pytest.raises(ecs.exceptions.InvalidParameterException, match=r"^.*Invalid setting 'value'$"):
        ecs.put_account_setting_default(name=name, value=value)
    assert ecs.list_account_settings()["settings"] == []


def test_settings_only_the_account_default_or_aws_can_change(ecs: Any, ecs_fake: EcsFake) -> None:
    # Rules only the reference states: answered, each recorded on its call (strict mode fails the test).
    ecs.put_account_setting(name="fargateFIPSMode", value="enabled")
    assert "PutAccountSettingDefault" in ecs_fake.calls[-1].violations[0]
    ecs.put_account_setting(name="fargateTaskRetirementWaitPeriod", value="14", principalArn=ALICE)
    assert "root user only" in ecs_fake.calls[-1].violations[0]
    ecs.put_account_setting(name="awsvpcTrunking", value="enabled",
                            principalArn="arn:aws:sts::123456789012:federated-user/bob")
    assert "federated users" in ecs_fake.calls[-1].violations[0]
    # The root user may set the wait period: it is the account default.
    ecs.put_account_setting(name="fargateTaskRetirementWaitPeriod", value="0", principalArn=ROOT)
    assert ecs_fake.calls[-1].violations == ()
    assert effective(ecs, principalArn="arn:aws:iam::123456789012:user/carol")["fargateTaskRetirementWaitPeriod"][
        0] == "0"
    for call in (ecs.put_account_setting, ecs.put_account_setting_default):
        with pytest.raises(ecs.exceptions.InvalidParameterException, match="read-only"):
            call(name="guardDutyActivate", value="on")
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="read-only"):
        ecs.delete_account_setting(name="guardDutyActivate")


def test_settings_are_per_region(ecs_fake: EcsFake) -> None:
    east = boto3.client("ecs", region_name="us-east-1")
    west = boto3.client("ecs", region_name="us-west-2")
    east.put_account_setting_default(name="containerInsights", value="enabled")
    assert west.list_account_settings()["settings"] == []
    assert east.list_account_settings()["settings"][0]["value"] == "enabled"


def test_container_insights_is_the_default_of_new_clusters(ecs: Any) -> None:
    before = ecs.create_cluster(clusterName="before")["cluster"]
    ecs.put_account_setting_default(name="containerInsights", value="enhanced")
    after = ecs.create_cluster(clusterName="after")["cluster"]
    chosen = ecs.create_cluster(clusterName="chosen",
                                settings=[{"name": "containerInsights", "value": "disabled"}])["cluster"]
    assert before["settings"] == [{"name": "containerInsights", "value": "disabled"}]
    assert after["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    assert chosen["settings"] == [{"name": "containerInsights", "value": "disabled"}]
    described = ecs.describe_clusters(clusters=["after"], include=["SETTINGS"])["clusters"][0]
    assert described["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    # An existing cluster keeps what it was created with.
    ecs.delete_account_setting(name="containerInsights")
    again = ecs.describe_clusters(clusters=["after"], include=["SETTINGS"])["clusters"][0]
    assert again["settings"] == [{"name": "containerInsights", "value": "enhanced"}]


def test_account_settings_over_the_server(ecs_fake: EcsFake) -> None:
    with ecs_fake.serve() as url:
        ecs = boto3.client("ecs", region_name="eu-west-1", endpoint_url=url, aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        ecs.put_account_setting(name="containerInsights", value="enabled")
        assert ecs.create_cluster(clusterName="x")["cluster"]["settings"] == [
            {"name": "containerInsights", "value": "enabled"}]
        assert effective(ecs)["containerInsights"] == ("enabled", ROOT, "user")
        assert ecs.delete_account_setting(name="containerInsights")["setting"]["value"] == "enabled"
        assert ecs.list_account_settings()["settings"] == []
