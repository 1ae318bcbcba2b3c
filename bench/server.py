"""Server mode: DescribeTasks from 8 concurrent keep-alive clients, ``ecsfake serve`` against moto's server.

Both servers run as subprocesses on 127.0.0.1 (port 0: a free one), side by side, each populated the same way
through boto3 (a cluster, a task definition, one task). Each client is a thread holding one ``http.client``
keep-alive connection that sends the request botocore signed for that server's DescribeTasks (its headers and
body, captured once), a fixed number of times; the rate is the calls of all clients over the wall time from
their common start to the last answer. Rounds alternate between the two servers; the figure is the median
rate. Both servers are stopped at the end, also on error.
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import boto3

from bench import workloads as w
from bench.timing import wall

Results = dict[str, dict[str, float]]
CLIENTS = 8
ROW = "DescribeTasks, 8 keep-alive clients (calls/s)"
CLOSED = "answers with Connection: close (share)"
_MOTO_SERVER = """
import sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()  # until the bench closes our stdin
server.stop()
"""


@contextmanager
def _process(command: list[str], port_of: Any) -> Iterator[int]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"server did not start: {command}")
        yield port_of(line)
    finally:
        process.terminate()  # SIGTERM: ecsfake serve stops cleanly; moto's script dies
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def _ecsfake_port(line: str) -> int:  # "ecsfake: serving ECS, ... at http://127.0.0.1:PORT (region ..."
    return int(line.split(" at http://127.0.0.1:", 1)[1].split()[0])


def _captured_request(port: int, moto: bool) -> tuple[str, dict[str, str], bytes]:
    """Populate the server; return the DescribeTasks request botocore sends it (path, headers, body)."""
    url = f"http://127.0.0.1:{port}"

    def client(name: str) -> Any:
        return boto3.client(name, endpoint_url=url, region_name=w.REGION, aws_access_key_id="testing",
                            aws_secret_access_key="testing")

    ecs = client("ecs")
    ecs.create_cluster(clusterName="c")
    ecs.register_task_definition(**(w.MOTO_TASK_DEFINITION if moto else w.TASK_DEFINITION))
    if moto:
        ec2 = client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
        group = ec2.create_security_group(GroupName="g", Description="d", VpcId=vpc)["GroupId"]
    else:
        subnet, group = "subnet-1", "sg-1"
    arn = w.run_tasks(ecs, subnet, 1, group)[0]
    if not moto:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", "/_ecsfake/advance", body=b'{"seconds": 60}')
        connection.getresponse().read()
        connection.close()
    seen: list[Any] = []
    ecs.meta.events.register("before-send.ecs.DescribeTasks", lambda request, **_: seen.append(request))
    if ecs.describe_tasks(cluster="c", tasks=[arn])["tasks"][0]["taskArn"] != arn:
        raise RuntimeError("DescribeTasks did not answer the task")
    request = seen[0]
    path = http.client.urlsplit(request.url).path or "/"  # type: ignore[attr-defined]
    body = request.body if isinstance(request.body, bytes) else request.body.encode()
    headers = {str(k): v.decode() if isinstance(v, bytes) else str(v) for k, v in request.headers.items()}
    return path, headers, body


def _rate(port: int, request: tuple[str, dict[str, str], bytes], calls: int) -> tuple[float, int]:
    """Calls per second of CLIENTS threads, each sending ``calls`` requests on its own keep-alive connection,
    and how many times a client had to connect again (the server answered ``Connection: close``)."""
    path, headers, body = request
    start = threading.Barrier(CLIENTS + 1)
    errors: list[BaseException] = []
    reconnects = [0] * CLIENTS

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("POST", path, body=body, headers=headers)  # connected and warm before the start
            connection.getresponse().read()
            start.wait()
            for _ in range(calls):
                connection.request("POST", path, body=body, headers=headers)  # connects again if it was closed
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"status {response.status}")
                if response.will_close:  # moto's werkzeug server closes every connection
                    connection.close()
                    reconnects[index] += 1
        except BaseException as exc:  # reported by the caller
            errors.append(exc)
            start.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start.wait()
    took = wall(lambda: [thread.join() for thread in threads])
    if errors:
        raise RuntimeError(f"a client of the server at port {port} failed: {errors[0]!r}")
    return CLIENTS * calls / took, sum(reconnects)


def server_figures(rounds: int, calls: int, with_moto: bool) -> Results:
    """Median calls/s over ``rounds`` for each server, rounds alternated; ``calls`` per client per round for
    ecsfake, an eighth of that for moto (about 15 times slower: its rounds take about as long)."""
    rates: dict[str, list[float]] = {"ecsfake": []}
    closed: dict[str, float] = {}
    with ExitStack() as stack:
        fake = stack.enter_context(_process(
            [sys.executable, "-m", "pytest_ecsfake", "serve", "--host", "127.0.0.1", "--port", "0", "--quiet",
             "--clock", "manual"], _ecsfake_port))
        servers = {"ecsfake": (fake, _captured_request(fake, moto=False))}
        if with_moto:
            moto = stack.enter_context(_process([sys.executable, "-c", _MOTO_SERVER], int))
            servers["moto"] = (moto, _captured_request(moto, moto=True))
            rates["moto"] = []
        per_client = {"ecsfake": calls, "moto": max(1, calls // 8)}
        for name, (port, request) in servers.items():
            _rate(port, request, max(1, per_client[name] // 5))  # warm-up
        for _ in range(rounds):
            for name, (port, request) in servers.items():
                rate, reconnects = _rate(port, request, per_client[name])
                rates[name].append(rate)
                closed[name] = reconnects / (CLIENTS * per_client[name])
    return {ROW: {name: statistics.median(values) for name, values in rates.items()},
            CLOSED: closed}


if __name__ == "__main__":  # python -m bench.server [calls per client]
    w.dummy_credentials()
    print(server_figures(3, int(sys.argv[1]) if sys.argv[1:] else 200, with_moto=True))
