"""First use in fresh interpreters: boto3 alone (the floor), boto3 + ecsfake, boto3 + moto, taken in turn.

Each process times, from its first line to the answer of its first ListClusters: the imports (boto3 included),
the activation, the client's creation and its first call. The floor process imports nothing of pytest_ecsfake:
it answers that call with canned bytes at ``Endpoint._send``, unsigned (as the fake's intercepted calls are).
The fake's own share is the median over rounds of (ecsfake process - floor process of the same round), in
wall time and in the processes' CPU time (``time.process_time``, which freezegun leaves alone): on a shared
machine the CPU time does not count the time other processes held the CPU.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
Results = dict[str, dict[str, float]]

# The floor's answer: canned bytes at Endpoint._send, unsigned (as the fake's intercepted calls are).
_FLOOR_PATCH = """
from botocore.awsrequest import AWSResponse
from botocore.endpoint import Endpoint
from botocore.signers import RequestSigner
class Body:
    def __init__(self, body):
        self._body = body
    def stream(self, **_):
        yield self._body
    def read(self, *_, **__):
        body, self._body = self._body, b""
        return body
Endpoint._send = lambda endpoint, request: AWSResponse(request.url, 200, {}, Body(b'{"clusterArns":[]}'))
RequestSigner.sign = lambda *args, **kwargs: None
"""
_FLOOR = "import boto3" + _FLOOR_PATCH + """boto3.client("ecs", region_name="us-east-1").list_clusters()
done()
"""
_FAKE = """
import boto3
from pytest_ecsfake import EcsFake
with EcsFake():
    boto3.client("ecs", region_name="us-east-1").list_clusters()
    done()
"""
_MOTO = """
import boto3
from moto import mock_aws
with mock_aws():
    boto3.client("ecs", region_name="us-east-1").list_clusters()
    done()
"""
# The clock is read before any import; done() is called at the first answer, before the fake (or moto) stops.
# The real perf_counter is held in a list: freezegun rewrites module globals bound to it.
_TIMED = """import time
_clock = [time.perf_counter, time.process_time]
_start = [_clock[0](), _clock[1]()]
def done():
    print(_clock[0]() - _start[0], _clock[1]() - _start[1])
{body}"""
# The fake's CPU inside its dispatcher over the first calls of five operations of both services (decoding, the
# schemas built from botocore's model on first use, handler modules imported, answers): its first-use cost free
# of the noise of boto3's imports. process_time, since freezegun freezes perf_counter.
_DISPATCH_SHARE = """
import time
import pytest_ecsfake.wire.dispatch as dispatcher
spent = [0.0]
inner = dispatcher.dispatch
def timed(*args, **kwargs):
    start = time.process_time()
    try:
        return inner(*args, **kwargs)
    finally:
        spent[0] += time.process_time() - start
dispatcher.dispatch = timed
import boto3
from pytest_ecsfake import EcsFake
with EcsFake():
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    ecs.register_task_definition(family="job", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512", containerDefinitions=[{"name": "a", "image": "x"}])
    ecs.run_task(cluster="c", taskDefinition="job", launchType="FARGATE",
                 networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-1"]}})
    ecs.describe_tasks(cluster="c", tasks=["x"])
    boto3.client("batch", region_name="us-east-1").describe_job_queues()
print(spent[0])
"""
# freezegun's import in a process that imported boto3 (as the fake's first activation finds it): the part of
# the fake's share that is a required dependency's own (asyncio, unittest, sqlite3 and dateutil come with it).
_FREEZEGUN = """
import time
import boto3
start = time.process_time()
import freezegun
print(time.process_time() - start)
"""
# The same share timed inside each process, boto3's import and the client's creation left out of the clock: the
# plugin's import and first activation, then the first call; the floor process times only its first call. The
# difference of whole processes (above) carries the noise of boto3's ~300 ms import; this one does not.
_CLIENT = """
import time
_clock = [time.process_time]
import boto3
client = boto3.client("ecs", region_name="us-east-1")
"""
_TIMED_FAKE = _CLIENT + """
start = _clock[0]()
from pytest_ecsfake import EcsFake
fake = EcsFake().start()
activated = _clock[0]()
client.list_clusters()
print(activated - start, _clock[0]() - activated)
fake.stop()
"""
_TIMED_FLOOR = _CLIENT + _FLOOR_PATCH + """
start = _clock[0]()
client.list_clusters()
print(0.0, _clock[0]() - start)
"""
MOTO_RUNS = 5
FIRST_USE = "import + first call (fresh process)"
FIRST_USE_CPU = "import + first call, CPU time (fresh process)"
SHARE = "fake's own share of first use (ecsfake - floor)"
SHARE_CPU = "fake's own share of first use, CPU time"
BEST = "the same, best ecsfake - best floor (CPU time)"
DISPATCH = "fake's CPU in its dispatcher, first 5 operations"
FREEZEGUN = "freezegun's import after boto3's, CPU time"
TIMED = "fake's own share, timed in the processes, CPU time"
TIMED_PARTS = "  of which the plugin's import + first activation"
WITHOUT_FREEZEGUN = "fake's own share, CPU time, less freezegun's import"


def _run(code: str, env: dict[str, str]) -> list[float]:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env=env)
    return [float(figure) for figure in out.stdout.strip().splitlines()[-1].split()]


def first_use_figures(runs: int, with_moto: bool) -> Results:
    """``runs`` rounds, each a fresh floor, ecsfake (and moto, in the first MOTO_RUNS) process in turn, after one
    discarded round.

    Bytecode is cached as for an installed package: in a temporary PYTHONPYCACHEPREFIX (nothing is written to
    the tree), warmed by the discarded round. PYTHONDONTWRITEBYTECODE=1 on a source checkout would compile
    pytest_ecsfake from source in every process instead (about +70 ms here)."""
    scripts = {"floor": _FLOOR, "ecsfake": _FAKE, **({"moto": _MOTO} if with_moto else {})}
    samples: dict[str, list[float]] = {name: [] for name in scripts}
    cpu: dict[str, list[float]] = {name: [] for name in scripts}
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", PYTHONPYCACHEPREFIX=cache)
        for run in range(1 + runs):
            for name, body in scripts.items():
                if name == "moto" and run > MOTO_RUNS:  # moto's row is for comparison: fewer of its slow runs
                    continue
                took, spent = _run(_TIMED.format(body=body), env)
                if run:
                    samples[name].append(took)
                    cpu[name].append(spent)
        share = [_run(_DISPATCH_SHARE, env)[0] for _ in range(1 + runs)][1:]
        freezegun = [_run(_FREEZEGUN, env)[0] for _ in range(1 + runs)][1:]
        timed, activation = [], []
        for run in range(1 + runs):
            (imported, fake_call), (_, floor_call) = _run(_TIMED_FAKE, env), _run(_TIMED_FLOOR, env)
            if run:
                timed.append(imported + fake_call - floor_call)
                activation.append(imported)

    def differences(figures: dict[str, list[float]]) -> float:
        return statistics.median(fake - floor for fake, floor in zip(figures["ecsfake"], figures["floor"], strict=True))

    return {FIRST_USE: {name: statistics.median(values) for name, values in samples.items()},
            FIRST_USE_CPU: {name: statistics.median(values) for name, values in cpu.items()},
            SHARE: {"ecsfake": differences(samples)},
            SHARE_CPU: {"ecsfake": differences(cpu)},
            BEST: {"ecsfake": min(cpu["ecsfake"]) - min(cpu["floor"])},
            DISPATCH: {"ecsfake": statistics.median(share)},
            FREEZEGUN: {"ecsfake": statistics.median(freezegun)},
            TIMED: {"ecsfake": statistics.median(timed)},
            TIMED_PARTS: {"ecsfake": statistics.median(activation)},
            WITHOUT_FREEZEGUN: {"ecsfake": statistics.median(timed) - statistics.median(freezegun)}}


if __name__ == "__main__":  # python -m bench.first_use [runs]
    for row, cols in first_use_figures(int(sys.argv[1]) if sys.argv[1:] else 11, with_moto=False).items():
        print(row, {k: f"{v * 1e3:.1f} ms" for k, v in cols.items()})
