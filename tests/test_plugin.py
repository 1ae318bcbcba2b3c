"""The pytest plugin, driven through pytester: fixture, marker, options, teardown failures."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from ecs_helpers import unimplemented_operation

pytest_plugins = ["pytester"]

HEADER = """
import boto3, pytest
from pytest_ecsfake import EcsFake

def ecs():
    return boto3.client("ecs", region_name="us-east-1")
"""


def run(pytester: pytest.Pytester, body: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(HEADER + body)
    # pytest-asyncio (a test dependency) is not what these tests are about; keep the inner runs minimal.
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:asyncio", "-p", "no:benchmark", *args)


def test_fixture_yields_an_active_fake(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
def test_it(ecs_fake):
    assert isinstance(ecs_fake, EcsFake)
    ecs().create_cluster(clusterName="c")
    assert [c.operation for c in ecs_fake.calls] == ["CreateCluster"]
""")
    result.assert_outcomes(passed=1)


def test_marker_alone_activates_and_options_merge_closest_first(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
pytestmark = pytest.mark.ecsfake(region="eu-west-1", account_id="111111111111")

@pytest.mark.ecsfake(account_id="222222222222")
def test_marker_only():
    arn = boto3.client("ecs", region_name="eu-west-1").create_cluster(clusterName="c")["cluster"]["clusterArn"]
    assert arn == "arn:aws:ecs:eu-west-1:222222222222:cluster/c"

@pytest.mark.ecsfake(start="2030-01-01T00:00:00Z")
def test_marker_with_fixture(ecs_fake):
    assert (ecs_fake.region, ecs_fake.account_id, ecs_fake.now.year) == ("eu-west-1", "111111111111", 2030)
""")
    result.assert_outcomes(passed=2)


def test_unknown_marker_option_is_a_clear_type_error(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
@pytest.mark.ecsfake(regoin="eu-west-1")
def test_it(ecs_fake):
    pass
""")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*TypeError: @pytest.mark.ecsfake: unknown option(s) 'regoin'; EcsFake takes: region*"]
    )


def test_no_fake_without_fixture_or_marker(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
from pytest_ecsfake.ways_in import active as _active

def test_plain():
    assert _active.current() is None
""")
    result.assert_outcomes(passed=1)


def test_fixture_gives_each_test_a_fresh_fake(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
@pytest.mark.parametrize("n", [1, 2])
def test_it(ecs_fake, n):
    assert ecs().list_clusters()["clusterArns"] == []
    ecs().create_cluster(clusterName="c")
""")
    result.assert_outcomes(passed=2)


def test_a_swallowed_unsupported_operation_fails_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    operation, method = unimplemented_operation()
    result = run(pytester, f"""
def test_it(ecs_fake):
    try:
        __import__("boto3").client("logs", region_name="us-east-1").{method}()
    except Exception:
        pass
""")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_it*",
        "*pytest-ecsfake saw 1 problem(s) during this test:*",
        f"*does not implement logs:{operation} yet*",
    ])


def test_a_failing_test_is_not_masked_by_teardown(pytester: pytest.Pytester) -> None:
    result = run(pytester, f"""
def test_it(ecs_fake):
    try:
        __import__("boto3").client("logs", region_name="us-east-1").{unimplemented_operation()[1]}()
    except Exception:
        pass
    assert False, "the real failure"
""")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: the real failure*"])
    result.stdout.no_fnmatch_line("*ERROR at teardown*")


@pytest.mark.parametrize(("args", "ini", "expected"), [
    ((), "", False),
    (("--ecsfake-strict",), "", True),
    ((), "[pytest]\necsfake_strict = true\n", True),
])
def test_strict_option_and_ini(pytester: pytest.Pytester, args: tuple[str, ...], ini: str, expected: bool) -> None:
    if ini:
        pytester.makeini(ini)
    result = run(pytester, f"""
def test_it(ecs_fake):
    assert ecs_fake.strict is {expected}

@pytest.mark.ecsfake(strict=False)
def test_marker_overrides(ecs_fake):
    assert ecs_fake.strict is False
""", *args)
    result.assert_outcomes(passed=2)


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("-p", "no:asyncio", "-p", "no:benchmark", "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.ecsfake(**options):*"])


def test_importing_the_plugin_is_cheap() -> None:
    code = (
        "import sys, pytest_ecsfake, pytest_ecsfake.plugin;"
        "heavy = [m for m in ('botocore', 'boto3', 'freezegun', 'jsonschema', 'responses') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


INNER_FIRST = '''
import boto3, pytest
def test_tags(ecs_fake):
    ecs = boto3.client("ecs", region_name="us-east-1")
    with pytest.raises(ecs.exceptions.ClusterNotFoundException):
        ecs.list_tags_for_resource(resourceArn="arn:aws:ecs:us-east-1:123456789012:cluster/x")
'''
INNER_SECOND = '''
import boto3
def test_cluster(ecs_fake):
    boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="c")
'''


def test_in_process_pytester_runs_find_every_handler(pytester: pytest.Pytester) -> None:
    # A plugin author's suite: two inner pytest runs in one process. pytester drops the modules the first run
    # imported (the handler modules, the registry); the second run must find its handlers all the same.
    pytester.makepyfile(test_author=f"""
        pytest_plugins = ["pytester"]
        FIRST = {INNER_FIRST!r}
        SECOND = {INNER_SECOND!r}

        def test_first(pytester):
            pytester.makepyfile(FIRST)
            pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)

        def test_second(pytester):
            pytester.makepyfile(SECOND)
            pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)
        """)
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=2)


def after_an_inner_run(pytester: pytest.Pytester, imports: str, then: str) -> None:
    """A plugin author's test: an inner in-process run whose create_cluster is the first ECS call (pytester drops
    the modules it imported), then ``then`` (indented code) in the same process; it must pass."""
    body = textwrap.indent(textwrap.dedent(then), "    ")
    pytester.makepyfile(test_author=(f'pytest_plugins = ["pytester"]\n{imports}\nINNER = {INNER_SECOND!r}\n\n'
                                     "def test_inner_run_then(pytester):\n"
                                     "    pytester.makepyfile(INNER)\n"
                                     '    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)\n'
                                     f"{body}"))
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=1)


def test_after_an_in_process_run_each_operation_is_served_by_the_live_handler_module(pytester: pytest.Pytester) -> None:
    # The inner run is the first to import ecs.clusters and ecs.tags, and pytester drops them. The outer test then
    # imports ecs.tasks afresh, whose task resolver registers into a fresh ecs.tags: TagResource must be served by
    # that live module, not by the dropped one the registry saw first (it said "not a taggable ECS resource").
    after_an_inner_run(pytester, "import boto3\nfrom pytest_ecsfake import EcsFake", """
        with EcsFake():
            ecs = boto3.client("ecs", region_name="us-east-1")
            ecs.create_cluster(clusterName="c")
            ecs.register_task_definition(family="f", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                         cpu="256", memory="512", containerDefinitions=[{"name": "a", "image": "a:1"}])
            arn = ecs.run_task(cluster="c", taskDefinition="f", launchType="FARGATE", networkConfiguration={
                "awsvpcConfiguration": {"subnets": ["subnet-1"]}})["tasks"][0]["taskArn"]
            ecs.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "data"}])
            assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "data"}]
        """)


def test_after_an_in_process_run_the_moto_patch_is_still_removed_at_stop(pytester: pytest.Pytester) -> None:
    # The inner run imports pytest_ecsfake.ways_in.with_moto and pytester drops it from sys.modules; the package
    # keeps it as an attribute, so the next activation uses that module: stopping must undo its patch all the same.
    after_an_inner_run(pytester, "import moto.core.botocore_stubber\nfrom pytest_ecsfake import EcsFake", """
        original = moto.core.botocore_stubber.BotocoreStubber.__call__
        with EcsFake():
            assert moto.core.botocore_stubber.BotocoreStubber.__call__ is not original  # moto declines ECS
        assert moto.core.botocore_stubber.BotocoreStubber.__call__ is original
        """)

GUARDED_SUITE = """
import boto3
import pytest
from pytest_ecsfake import EcsFake, mock_ecs

def test_forgot_the_fixture():
    boto3.client("ecs", region_name="us-east-1").list_clusters()

def test_batch_too():
    boto3.client("batch", region_name="us-east-1").describe_job_queues()

def test_with_the_fixture(ecs_fake):
    boto3.client("ecs", region_name="us-east-1").list_clusters()

@pytest.mark.ecsfake
def test_with_the_marker():
    boto3.client("ecs", region_name="us-east-1").list_clusters()

@mock_ecs
def test_with_the_decorator():
    boto3.client("ecs", region_name="us-east-1").list_clusters()

def test_raw_requests_too():
    import requests
    requests.post("https://ecs.us-east-1.amazonaws.com/", data="{}",
                  headers={"X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters"})

def test_other_services_are_left_alone():
    from botocore.exceptions import NoCredentialsError
    with pytest.raises(NoCredentialsError):  # not the guard's business: no request is sent without credentials
        boto3.client("sqs", region_name="us-east-1").list_queues()
"""


@pytest.mark.parametrize("how", ["option", "ini"])
def test_the_guard_fails_ecs_and_batch_calls_made_without_a_fake(pytester: pytest.Pytester, how: str) -> None:
    pytester.makepyfile(test_guarded=GUARDED_SUITE)
    args = ["-p", "no:randomly"]
    if how == "option":
        args.append("--ecsfake-guard")
    else:
        pytester.makeini("[pytest]\necsfake_guard = true\n")
    # No credentials at all, and nowhere to send to: a call that got past the guard would fail differently.
    env = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
           "AWS_CONFIG_FILE": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            patch.delenv(name)
        result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=4, failed=3)
    result.stdout.fnmatch_lines([
        "*NoActiveFakeError: pytest-ecsfake guard (--ecsfake-guard): ecs:ListClusters was called with no active "
        "fake, so it would have gone to AWS; nothing was sent. Activate the fake for this test: the ecs_fake "
        "fixture (def test_x(ecs_fake): ...), the @pytest.mark.ecsfake marker, or the @mock_ecs / @EcsFake() "
        "decorator (or `with EcsFake():`).",
    ])
    result.stdout.fnmatch_lines(["*NoActiveFakeError: *batch:DescribeJobQueues was called with no active fake*"])
    # Once per failing ECS test, in its traceback's "E" line (the short summary's copy depends on the terminal's width).
    refusal = "NoActiveFakeError: pytest-ecsfake guard (--ecsfake-guard): ecs:ListClusters"
    refusals = [line for line in result.outlines if line.startswith("E ") and refusal in line]
    assert len(refusals) == 2


def test_without_the_guard_a_forgotten_fixture_is_botocores_business(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_unguarded="""
        import boto3, pytest
        from botocore.exceptions import NoCredentialsError
        def test_forgot(monkeypatch):
            for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
                monkeypatch.delenv(name, raising=False)
            monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
            monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
            with pytest.raises(NoCredentialsError):
                boto3.client("ecs", region_name="us-east-1").list_clusters()
        """)
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=1)
