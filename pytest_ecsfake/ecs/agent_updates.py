"""The container agent's instance-level calls: DiscoverPollEndpoint and UpdateContainerAgent.

UpdateContainerAgent walks the documented stages of an agent update on the fake clock [DG:agent-update-ecs-ami]:
PENDING (an update is available and the process started) → STAGING (the agent downloads it) → STAGED (downloaded
and verified) → UPDATING (ecs-init restarts the agent: it is disconnected meanwhile) → UPDATED (the new agent is
connected; ``versionInfo`` shows its version), or FAILED. Each stage lasts the timing ``agent_update_<stage>``;
each change is a container-instance state change (``version`` + 1). Choices where AWS is silent:
docs/fidelity-container-instances.md ("Agent updates", "Poll endpoints").
"""

from __future__ import annotations

import re
import zlib
from typing import TYPE_CHECKING, Any

from ..core.context import Context
from ..core.errors import AwsError, InvalidParameterException
from ..core.registry import handler
from .clusters import get_cluster
from .instance_model import VERSION_INFO, ContainerInstance, describe, find_instance

if TYPE_CHECKING:
    from ..core.backend import Backend

# The newest agent the fake knows: the version its instances register with by default, so a fresh instance is up
# to date (NoUpdateAvailableException) and one registered with an older ``versionInfo.agentVersion`` can update.
LATEST_AGENT = {"agentVersion": VERSION_INFO["agentVersion"], "agentHash": VERSION_INFO["agentHash"]}
IN_PROGRESS = ("PENDING", "STAGING", "STAGED", "UPDATING")
# AWS's sentence (aws/amazon-ecs-agent#2287, 2019).
NO_UPDATE = "There is no update available for your container agent."
# Not confirmed: worded from the model's documentation of each exception.
IN_PROGRESS_MESSAGE = ("There's already a current Amazon ECS container agent update in progress on the container "
                       "instance.")
MISSING_VERSION = ("Amazon ECS can't determine the current version of the Amazon ECS container agent on the container "
                   "instance and doesn't have enough information to proceed with an update.")
INSTANCE_NOT_FOUND = "The referenced container instance was not found."  # the fake's, as DeregisterContainerInstance
_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")


# -- DiscoverPollEndpoint ------------------------------------------------------------------------------
def _domains(region: str) -> tuple[str, str]:
    """The agent endpoints' domain and the Service Connect endpoint's, for the region's partition (China: inferred)."""
    if region.startswith("cn-"):
        return "amazonaws.com.cn", "api.amazonwebservices.com.cn"
    return "amazonaws.com", "api.aws"


def _cluster_of(ctx: Context, req: dict[str, Any]) -> str:
    """The cluster name the endpoints are chosen for: the request's, else the instance ARN's, else ``default``."""
    ref = req.get("cluster")
    if not ref:
        owner = str(req.get("containerInstance") or "").rpartition(":container-instance/")[2].rpartition("/")[0]
        ref = owner or "default"
    return str(ref).rsplit("/", 1)[-1]


@handler("ecs", "DiscoverPollEndpoint")
def discover_poll_endpoint(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """Returns an endpoint for the Amazon ECS agent to poll for updates [M:DiscoverPollEndpoint]: the agent
    communication (``ecs-a-<n>``), telemetry (``ecs-t-<n>``) and Service Connect (``ecs-sc``) endpoints of the
    region, in the host formats of AWS's answers (the AWS CLI's discover-poll-endpoint example;
    aws/amazon-ecs-agent#2169). ``<n>`` is a shard number, the same for every instance of a cluster."""
    shard = zlib.crc32(_cluster_of(ctx, req).encode()) % 16 + 1
    domain, sc_domain = _domains(ctx.region)
    return {
        "endpoint": f"https://ecs-a-{shard}.{ctx.region}.{domain}/",
        "telemetryEndpoint": f"https://ecs-t-{shard}.{ctx.region}.{domain}/",
        "serviceConnectEndpoint": f"https://ecs-sc.{ctx.region}.{sc_domain}",
    }


# -- UpdateContainerAgent ------------------------------------------------------------------------------
def _version(text: str | None) -> tuple[int, ...] | None:
    match = _VERSION.match(text or "")
    return None if match is None else tuple(int(part) for part in match.groups())


def _not_applicable(instance: ContainerInstance) -> str | None:
    """Why the UpdateContainerAgent process does not apply to the instance, as the reference says; None if it does."""
    if (instance.attributes.get("ecs.os-type") or "").lower() == "windows":
        return "UpdateContainerAgent: agent updates do not apply to Windows container instances " \
               "[M:UpdateContainerAgent]"
    if instance.attributes.get("ecs.cpu-architecture") == "arm64":
        return ("UpdateContainerAgent isn't supported for container instances using the Amazon ECS-optimized Amazon "
                "Linux 2 (arm64) AMI [M:UpdateContainerAgent]")
    return None


def _set(instance: ContainerInstance, status: str) -> None:
    instance.agent_update_status = status
    instance.version += 1


# The stages after PENDING, each with the timing of the stage before it (how long after that one it comes).
STAGES = (("STAGING", "agent_update_pending"), ("STAGED", "agent_update_staging"),
          ("UPDATING", "agent_update_staged"), ("UPDATED", "agent_update_updating"))


def _schedule_stage(backend: Backend, instance: ContainerInstance, index: int, at: float, fails: bool) -> None:
    """Schedule stage ``index`` of an update that reached the stage before it at ``at``. A deregistered instance's
    update goes no further. (An agent that disconnects mid-update gets stuck until it reconnects
    [M:UpdateInProgressException]; the fake's agents disconnect only while UPDATING, so none gets stuck.)"""
    status, key = STAGES[index]

    def run(now: float) -> None:
        if instance.status == "INACTIVE" or instance.agent_update_status not in IN_PROGRESS:
            return
        if status == "STAGED" and fails:
            _set(instance, "FAILED")  # the download cannot be used on this instance [DG:agent-update-ecs-ami]
            return
        _set(instance, status)
        if status == "UPDATING":
            instance.agent_connected = False  # ecs-init restarts the agent
        elif status == "UPDATED":
            instance.agent_connected = True
            instance.version_info.update(LATEST_AGENT)
        if index + 1 < len(STAGES):
            _schedule_stage(backend, instance, index + 1, now, fails)

    backend.events.schedule(at + backend.timings[key], run)


@handler("ecs", "UpdateContainerAgent")
def update_container_agent(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """Updates the Amazon ECS container agent on a specified container instance [M:UpdateContainerAgent]. The
    answer shows the update PENDING and the agent's current ``versionInfo`` (the AWS CLI's update-container-agent
    example); DescribeContainerInstances follows the stages, and shows the new version once UPDATED."""
    cluster = get_cluster(ctx, req.get("cluster"))
    instance = find_instance(ctx, cluster, req["containerInstance"])
    if instance is None or instance.status == "INACTIVE":
        raise InvalidParameterException(INSTANCE_NOT_FOUND)
    if instance.agent_update_status in IN_PROGRESS:
        raise AwsError(IN_PROGRESS_MESSAGE, code="UpdateInProgressException")
    current = _version(instance.version_info.get("agentVersion"))
    if current is None:
        raise AwsError(MISSING_VERSION, code="MissingVersionException")
    latest = _version(LATEST_AGENT["agentVersion"])
    assert latest is not None
    if current >= latest:
        raise AwsError(NO_UPDATE, code="NoUpdateAvailableException")
    reason = _not_applicable(instance)
    if reason is not None:
        ctx.documented(reason)  # answered; the update fails once the download cannot be used
    _set(instance, "PENDING")
    _schedule_stage(ctx.backend, instance, 0, ctx.now, reason is not None)
    return {"containerInstance": describe(ctx, instance)}
