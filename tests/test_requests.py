"""``requests`` traffic to ECS and Batch endpoints is served by the fake; everything else is untouched,
including a test's own ``responses`` mocks, nested either way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

import boto3
import pytest
import requests
import responses
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from requests.adapters import HTTPAdapter

from pytest_ecsfake import EcsFake
from pytest_ecsfake.ways_in.requests_mock import endpoint

TARGET = "AmazonEC2ContainerServiceV20141113."


def ecs_post(url: str, operation: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(url, data=json.dumps(body), timeout=30, headers={
        "X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.1"})


@pytest.fixture
def other_server() -> Iterator[str]:
    """Some other HTTP service on this machine, which must keep seeing real requests."""

    class Hello(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"hello from elsewhere"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize(("host", "region"), [
    ("ecs.us-east-1.amazonaws.com", "us-east-1"),
    ("ecs.eu-west-1.amazonaws.com", "eu-west-1"),
    ("ecs-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1"),
    ("ecs.cn-north-1.amazonaws.com.cn", "cn-north-1"),
    ("ecs.ap-southeast-2.api.aws", "ap-southeast-2"),
    ("ECS.SA-EAST-1.AMAZONAWS.COM", "sa-east-1"),
])
def test_ecs_of_any_region_is_served(ecs_fake: EcsFake, host: str, region: str) -> None:
    answer = ecs_post(f"https://{host}/", "CreateCluster", {"clusterName": "c"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert answer.json()["cluster"]["clusterArn"] == f"arn:aws:ecs:{region}:123456789012:cluster/c"
    assert [(c.service, c.operation) for c in ecs_fake.calls] == [("ecs", "CreateCluster")]


def test_ecs_errors_are_aws_errors(ecs_fake: EcsFake) -> None:
    answer = ecs_post("https://ecs.us-east-1.amazonaws.com/", "DescribeTasks", {"cluster": "nope", "tasks": ["t"]})
    assert (answer.status_code, answer.json()) == (400, {"__type": "ClusterNotFoundException",
                                                         "message": "Cluster not found."})


@pytest.mark.parametrize("host", ["batch.us-east-1.amazonaws.com", "fips.batch.us-west-2.amazonaws.com",
                                  "batch.eu-central-1.api.aws"])
def test_batch_rest_paths_are_served(ecs_fake: EcsFake, host: str) -> None:
    answer = requests.post(f"https://{host}/v1/submitjob", json={"jobName": "j"}, timeout=30)
    assert (answer.status_code, answer.headers["x-amzn-ErrorType"]) == (400, "ClientException")
    assert "jobQueue" in answer.json()["message"]
    assert [(c.service, c.operation) for c in ecs_fake.calls] == [("batch", "SubmitJob")]


def test_sigv4_signed_requests_are_served(ecs_fake: EcsFake) -> None:
    url = "https://ecs.eu-north-1.amazonaws.com/"
    signed = AWSRequest("POST", url, data=b"{}", headers={"X-Amz-Target": TARGET + "ListClusters",
                                                          "Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(Credentials("testing", "testing"), "ecs", "eu-north-1").add_auth(signed)
    answer = requests.post(url, data=signed.body, headers=dict(signed.headers.items()), timeout=30)
    assert (answer.status_code, answer.json()) == (200, {"clusterArns": []})


def test_other_traffic_is_untouched(ecs_fake: EcsFake, other_server: str) -> None:
    assert requests.get(other_server, timeout=30).text == "hello from elsewhere"
    assert ecs_fake.calls == []


@pytest.mark.parametrize(("url", "served"), [
    ("https://ecs.us-east-1.amazonaws.com", True),
    ("http://ecs.us-east-1.amazonaws.com:443/?x=1", True),
    ("https://batch.us-gov-east-1.amazonaws.com/v1/listjobs", True),
    ("https://ecs.example.com/", False),
    ("https://myecs.us-east-1.amazonaws.com/", False),
    ("https://ecs.us-east-1.amazonaws.com.evil.test/", False),
    ("https://s3.us-east-1.amazonaws.com/", False),
    ("https://example.com/?next=https://ecs.us-east-1.amazonaws.com/", False),
])
def test_which_urls_are_ecs_or_batch(url: str, served: bool) -> None:
    assert bool(endpoint().match(url)) is served


def test_the_server_of_the_fake_is_reached_over_real_http(ecs_fake: EcsFake) -> None:
    with ecs_fake.serve() as url:
        answer = ecs_post(url, "ListClusters", {})
    assert answer.headers["Server"] == "pytest-ecsfake"


@responses.activate
def test_alongside_the_test_s_own_responses_activate(ecs_fake: EcsFake) -> None:
    # The decorator's mock starts after the fixture's fake: it is the innermost mock.
    responses.add(responses.GET, "https://api.example.com/status", json={"ok": True})
    assert requests.get("https://api.example.com/status", timeout=30).json() == {"ok": True}
    assert ecs_post("https://ecs.us-east-1.amazonaws.com/", "ListClusters", {}).json() == {"clusterArns": []}
    # The test's mock saw only its own traffic.
    assert [call.request.url for call in responses.calls] == ["https://api.example.com/status"]
    assert [c.operation for c in ecs_fake.calls] == ["ListClusters"]


def test_the_test_s_own_rule_for_an_ecs_url_wins(ecs_fake: EcsFake) -> None:
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, "https://ecs.us-east-1.amazonaws.com/", json={"clusterArns": ["mine"]})
        assert ecs_post("https://ecs.us-east-1.amazonaws.com/", "ListClusters", {}).json() == {"clusterArns": ["mine"]}
        # Another region has no rule of the test's: the fake answers.
        assert ecs_post("https://ecs.eu-west-1.amazonaws.com/", "ListClusters", {}).json() == {"clusterArns": []}
    assert [c.operation for c in ecs_fake.calls] == ["ListClusters"]


def test_a_test_s_mock_started_before_the_fake_keeps_its_rules() -> None:
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, "https://api.example.com/status", json={"ok": True})
        with EcsFake() as fake:
            assert ecs_post("https://ecs.us-east-1.amazonaws.com/", "ListClusters", {}).status_code == 200
            assert requests.get("https://api.example.com/status", timeout=30).json() == {"ok": True}
            with pytest.raises(requests.ConnectionError, match="Connection refused by Responses"):
                requests.get("https://api.example.com/other", timeout=30)
        assert [c.operation for c in fake.calls] == ["ListClusters"]
        # After the fake, the test's mock is the one in place again.
        with pytest.raises(requests.ConnectionError, match="Connection refused by Responses"):
            ecs_post("https://ecs.us-east-1.amazonaws.com/", "ListClusters", {})


def test_nothing_is_left_patched_after_the_last_fake() -> None:
    send, on_request = HTTPAdapter.send, responses.RequestsMock._on_request
    with EcsFake(), EcsFake():
        assert HTTPAdapter.send is not send
    assert (HTTPAdapter.send, responses.RequestsMock._on_request) == (send, on_request)


def test_a_session_with_retries_and_a_streamed_body(ecs_fake: EcsFake) -> None:
    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=3))
    body = iter([b'{"clusterName":', b' "streamed"}'])
    answer = session.post("https://ecs.us-east-1.amazonaws.com/", data=body, timeout=30,
                          headers={"X-Amz-Target": TARGET + "CreateCluster"})
    assert answer.json()["cluster"]["clusterName"] == "streamed"
    session.close()


def test_a_run_task_retried_with_its_client_token_and_a_member_the_model_lacks_is_the_same_call(
        ecs_fake: EcsFake) -> None:
    # A newer SDK may send a member the installed model does not know: the fake ignores it (as AWS ignores what it
    # does not know), so a retry with the same clientToken is the same request, not a conflict.
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    ecs.register_task_definition(family="job", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512", containerDefinitions=[{"name": "a", "image": "x"}])
    body = {"cluster": "c", "taskDefinition": "job", "launchType": "FARGATE", "clientToken": "retry-1",
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}, "aFutureMember": True}
    url = "https://ecs.us-east-1.amazonaws.com/"
    first, again = ecs_post(url, "RunTask", body), ecs_post(url, "RunTask", body)
    assert first.status_code == 200 and again.status_code == 200, again.text
    assert [t["taskArn"] for t in again.json()["tasks"]] == [t["taskArn"] for t in first.json()["tasks"]]
    assert len(ecs.list_tasks(cluster="c")["taskArns"]) == 1
