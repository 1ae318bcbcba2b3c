"""What a container of a task sees of itself: the task metadata endpoint's JSON (version 4, and version 3 at the
same paths) and the container's environment [DG:task-metadata-endpoint-v4; its Fargate and EC2 response examples].

- ``${ECS_CONTAINER_METADATA_URI_V4}``: the container (``DockerId``, ``Name``, ``Image``, ``ImageID``, the
  ``com.amazonaws.ecs.*`` labels, ``DesiredStatus``/``KnownStatus``, ``Limits``, ``CreatedAt``/``StartedAt``
  (and ``FinishedAt``/``ExitCode`` once it ended), ``Type``, ``Networks``, ``ContainerARN``, its log driver);
- ``.../task``: the task (``Cluster`` — the cluster's ARN on Fargate, its name on EC2, as the examples show —,
  ``TaskARN``, ``Family``, ``Revision``, statuses, ``Limits``, pull times, ``AvailabilityZone``, ``LaunchType``,
  ``Containers``, ``ClockDrift``; ``ServiceName`` for a service's task; ``EphemeralStorageMetrics`` on Fargate);
- ``.../stats`` and ``.../task/stats``: Docker stats of the container / of every container by ``DockerId``,
  with counters that grow with the container's running time on the fake clock (the fake runs no process: the
  numbers are plausible, not measured).

Every timestamp is RFC 3339 in UTC. The answers are of the task as it is now on the fake clock.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from .task_model import Container, Task

CPU_NANOS_PER_SECOND = 10_000_000  # 1 % of a core: what an idle container's counters grow by (the fake's choice)
MEMORY_USED = 64 * 1024 * 1024


def _time(at: float | None) -> str | None:
    if at is None:
        return None
    moment = datetime.fromtimestamp(at, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}Z"


def _definition(task: Task, container: Container) -> dict[str, Any]:
    for definition in task.definition.body.get("containerDefinitions", []):
        if definition.get("name") == container.name:
            return dict(definition)
    return {}


def _networks(task: Task) -> list[dict[str, Any]]:
    if task.network_mode == "awsvpc":
        details = dict(task.eni["details"]) if task.eni is not None else {}
        if "privateIPv4Address" not in details:
            return []
        ip = details["privateIPv4Address"]
        block = ip.rsplit(".", 1)[0] + ".0/24"
        return [{
            "NetworkMode": "awsvpc",
            "IPv4Addresses": [ip],
            "AttachmentIndex": 0,
            "MACAddress": details.get("macAddress"),
            "IPv4SubnetCIDRBlock": block,
            "PrivateDNSName": details.get("privateDnsName"),
            "SubnetGatewayIpv4Address": ip.rsplit(".", 1)[0] + ".1/24",
        }]
    return [{"NetworkMode": task.network_mode, "IPv4Addresses": ["172.17.0.2"] if task.network_mode == "bridge"
             else []}]


def container_metadata(task: Task, container: Container) -> dict[str, Any]:
    """``GET ${ECS_CONTAINER_METADATA_URI_V4}``."""
    definition = _definition(task, container)
    body: dict[str, Any] = {
        "DockerId": container.runtime_id or "",
        "Name": container.name,
        "DockerName": container.name if task.launch_type == "FARGATE" else f"ecs-{task.definition.family}-"
                      f"{task.definition.revision}-{container.name}",
        "Image": container.image,
        "ImageID": container.image_digest or "",
        "Labels": {
            "com.amazonaws.ecs.cluster": task.cluster.arn,
            "com.amazonaws.ecs.container-name": container.name,
            "com.amazonaws.ecs.task-arn": task.arn,
            "com.amazonaws.ecs.task-definition-family": task.definition.family,
            "com.amazonaws.ecs.task-definition-version": str(task.definition.revision),
        },
        "DesiredStatus": task.desired_status,
        "KnownStatus": container.last_status,
        "Limits": {"CPU": container.cpu, "Memory": container.memory or container.memory_reservation or 0},
        "Type": "NORMAL",
        "Networks": _networks(task),
        "ContainerARN": container.arn,
    }
    created = task.times.get("pullStoppedAt")
    started = task.times.get("startedAt") if container.runtime_id else None
    for key, value in (("CreatedAt", created), ("StartedAt", started), ("FinishedAt", container.stopped_at)):
        if value is not None:
            body[key] = _time(value)
    if container.exit_code is not None:
        body["ExitCode"] = container.exit_code
    config = definition.get("logConfiguration") or {}
    if config.get("logDriver"):
        body["LogDriver"] = config["logDriver"]
        body["LogOptions"] = dict(config.get("options") or {})
    if task.launch_type == "FARGATE":
        body["Snapshotter"] = "overlayfs"
    return body


def task_metadata(task: Task, service_name: str | None) -> dict[str, Any]:
    """``GET ${ECS_CONTAINER_METADATA_URI_V4}/task``."""
    fargate = task.launch_type == "FARGATE"
    body: dict[str, Any] = {
        "Cluster": task.cluster.arn if fargate else task.cluster.name,
        "TaskARN": task.arn,
        "Family": task.definition.family,
        "Revision": str(task.definition.revision),
        "DesiredStatus": task.desired_status,
        "KnownStatus": task.last_status,
    }
    if service_name is not None:
        body["ServiceName"] = service_name
    limits: dict[str, Any] = {}
    if task.cpu is not None:
        limits["CPU"] = int(task.cpu) / 1024
    if task.memory is not None:
        limits["Memory"] = int(task.memory)
    if limits:
        body["Limits"] = limits
    for key, name in (("PullStartedAt", "pullStartedAt"), ("PullStoppedAt", "pullStoppedAt"),
                      ("ExecutionStoppedAt", "executionStoppedAt")):
        if name in task.times:
            body[key] = _time(task.times[name])
    if task.availability_zone is not None:
        body["AvailabilityZone"] = task.availability_zone
    body["LaunchType"] = task.launch_type
    body["Containers"] = [container_metadata(task, c) for c in task.containers]
    body["ClockDrift"] = {"ClockErrorBound": 0.5, "ReferenceTimestamp": _time(task.created_at),
                          "ClockSynchronizationStatus": "SYNCHRONIZED"}
    if fargate:
        body["EphemeralStorageMetrics"] = {"Utilized": 0, "Reserved": 20496}
    return body


def container_stats(task: Task, container: Container, now: float) -> dict[str, Any] | None:
    """``GET ${ECS_CONTAINER_METADATA_URI_V4}/stats``: Docker's stats; None before the container started."""
    started = task.times.get("startedAt")
    if container.runtime_id is None or started is None:
        return None
    until = container.stopped_at if container.stopped_at is not None else now
    ran = max(0.0, until - started)
    usage = int(ran * CPU_NANOS_PER_SECOND)
    previous = max(0, usage - CPU_NANOS_PER_SECOND)
    limit = (container.memory or int(task.memory or 0) or 512) * 1024 * 1024
    return {
        "read": _time(now),
        "preread": _time(now - 1),
        "name": f"/{container.name}",
        "id": container.runtime_id,
        "num_procs": 0,
        "pids_stats": {"current": 1 if container.last_status == "RUNNING" else 0},
        "cpu_stats": {"cpu_usage": {"total_usage": usage, "usage_in_kernelmode": usage // 5,
                                    "usage_in_usermode": usage - usage // 5},
                      "system_cpu_usage": int(now * 2 * 1_000_000_000), "online_cpus": 2,
                      "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0}},
        "precpu_stats": {"cpu_usage": {"total_usage": previous, "usage_in_kernelmode": previous // 5,
                                       "usage_in_usermode": previous - previous // 5},
                         "system_cpu_usage": int((now - 1) * 2 * 1_000_000_000), "online_cpus": 2,
                         "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0}},
        "memory_stats": {"usage": MEMORY_USED, "max_usage": MEMORY_USED, "limit": limit, "stats": {}},
        "blkio_stats": {"io_service_bytes_recursive": [], "io_serviced_recursive": []},
        "storage_stats": {},
        "networks": {"eth1" if task.network_mode == "awsvpc" else "eth0": {
            "rx_bytes": int(ran * 100), "rx_packets": int(ran), "rx_errors": 0, "rx_dropped": 0,
            "tx_bytes": int(ran * 100), "tx_packets": int(ran), "tx_errors": 0, "tx_dropped": 0}},
    }


def task_stats(task: Task, now: float) -> dict[str, Any]:
    """``GET ${ECS_CONTAINER_METADATA_URI_V4}/task/stats``: every container's stats by ``DockerId``."""
    return {c.runtime_id: container_stats(task, c, now) for c in task.containers if c.runtime_id}


def environment(task: Task, container: Container) -> dict[str, str]:
    """The variables the container's definition and the task's overrides give it (a Batch attempt's
    ``AWS_BATCH_*`` among them), plus what the platform adds: ``AWS_EXECUTION_ENV`` and, on Fargate, the
    region variables."""
    variables = {v["name"]: v["value"] for v in _definition(task, container).get("environment", [])}
    for override in task.overrides.get("containerOverrides", []):
        if override.get("name") == container.name:
            variables.update({v["name"]: v["value"] for v in override.get("environment", [])})
    region = task.arn.split(":")[3]
    if task.launch_type == "FARGATE":
        variables.update(AWS_EXECUTION_ENV="AWS_ECS_FARGATE", AWS_REGION=region, AWS_DEFAULT_REGION=region)
    else:
        variables["AWS_EXECUTION_ENV"] = "AWS_ECS_EC2"
    return variables
