"""A failing test, an erroring fixture or a failing fake-using test leaves no fake active behind it."""

from __future__ import annotations

import pytest

from pytest_ecsfake.ways_in import active as _active

CHECK = """
    import boto3
    import pytest
    from botocore.endpoint import Endpoint
    from pytest_ecsfake import EcsFake
    from pytest_ecsfake.ways_in import active as _active
    from pytest_ecsfake.ways_in import intercept as _intercept

    ORIGINAL_SEND = Endpoint._send

    @pytest.fixture
    def broken(ecs_fake):
        boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="x")
        raise RuntimeError("fixture fails after the fake started")

    def test_failing_with_the_fixture(ecs_fake):
        boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="x")
        assert False, "the test fails"

    def test_failing_inside_a_with_block():
        with EcsFake():
            raise ValueError("the block fails")

    def test_erroring_fixture(broken):
        pass

    @pytest.mark.ecsfake
    def test_failing_with_the_marker():
        assert False

    def test_z_nothing_is_left_active():
        assert _active.current() is None
        assert _intercept._patched == {}
        assert Endpoint._send is ORIGINAL_SEND
"""


def test_failures_leave_no_fake_active(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_leaks=CHECK)
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:xdist", "-p", "no:benchmark")
    result.assert_outcomes(passed=1, failed=3, errors=1)
    assert _active.current() is None


def test_nothing_is_active_between_tests() -> None:
    # Runs in any order (pytest-randomly, xdist): whatever ran before on this worker left nothing behind.
    assert _active.current() is None
