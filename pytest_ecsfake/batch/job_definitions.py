"""RegisterJobDefinition, DescribeJobDefinitions, DeregisterJobDefinition, and ``resolve_definition`` for
SubmitJob. Single-node container job definitions (``containerProperties``) and multi-node parallel ones
(``nodeProperties``, checked by multinode.py)."""

from __future__ import annotations

import copy
from typing import Any

from ..core.context import Context
from ..core.errors import ClientException
from ..core.paging import page, with_token
from ..core.registry import handler
from ..ecs.task_definitions import FARGATE_MEMORY
from . import ecs_properties, multinode
from .consumables import check_properties
from .refs import name_of
from .state import JobDefinition, batch_state

RESERVED_ENV_PREFIX = "AWS_BATCH"


def requirement(requirements: list[dict[str, str]], kind: str) -> str | None:
    """The value of the ``kind`` (VCPU, MEMORY, GPU) resource requirement, if given."""
    return next((r["value"] for r in requirements if r["type"] == kind), None)


def server_side(text: str) -> ClientException:
    """A refusal in the form Batch's server-side validation answers: "Error executing request, Exception : <text>,
    RequestId: <id>" (FIDELITY.md "Observed since"); the dispatcher fills in the request id."""
    return ClientException(f"Error executing request, Exception : {text}, RequestId: {{request_id}}")


def check_environment(variables: list[dict[str, Any]]) -> None:
    for variable in variables:
        if str(variable.get("name", "")).startswith(RESERVED_ENV_PREFIX):
            raise ClientException(
                f"Environment variable {variable['name']!r}: names starting with AWS_BATCH are reserved for the "
                "variables that Batch sets."
            )


def fargate_resources(vcpus: float | None, memory: int | None) -> None:
    """AWS's Fargate vCPU/memory pairs [M:ResourceRequirement.value]; ClientException for any other."""
    if vcpus is None or memory is None:
        raise ClientException("Fargate jobs must specify VCPU and MEMORY in resourceRequirements.")
    units = vcpus * 1024
    if units != int(units) or memory not in FARGATE_MEMORY.get(int(units), ()):
        # AWS's sentence, seen at SubmitJob (Netflix/metaflow#749: "(1.00 vCPU, 4000 MiB) not valid."); the same at
        # RegisterJobDefinition is inferred
        raise ClientException(f"Fargate resource requirements ({vcpus:.2f} vCPU, {memory} MiB) not valid.")


def number(value: str, what: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ClientException(f"resourceRequirements {what} value {value!r} is not a number.") from None


def _check_container(props: dict[str, Any], fargate: bool) -> None:
    if not props.get("image"):
        raise ClientException("containerProperties.image is required.")
    check_environment(props.get("environment", []))
    requirements = props.get("resourceRequirements", [])
    if fargate:
        for member in ("vcpus", "memory"):
            if member in props:
                raise ClientException(
                    f"containerProperties.{member} isn't supported for jobs running on Fargate resources: use "
                    "resourceRequirements."
                )
        if not props.get("executionRoleArn"):
            raise ClientException("containerProperties.executionRoleArn is required for jobs that run on Fargate "
                                  "resources.")
        vcpu, memory = requirement(requirements, "VCPU"), requirement(requirements, "MEMORY")
        fargate_resources(None if vcpu is None else number(vcpu, "VCPU"),
                          None if memory is None else int(number(memory, "MEMORY")))
    elif "vcpus" in props and requirement(requirements, "VCPU") is not None:
        raise ClientException("Specify the vCPU requirement in vcpus or in resourceRequirements, not both.")
    elif "vcpus" not in props and requirement(requirements, "VCPU") is None:
        # AWS's answer to a RegisterJobDefinition of an EC2 container job without vCPUs (ASFHyP3/hyp3#586, 2021)
        raise server_side("vCPU is not provided.")


def check_retry(retry: dict[str, Any] | None) -> None:
    if retry and retry.get("evaluateOnExit") and "attempts" not in retry:
        raise ClientException("retryStrategy.attempts must be specified when evaluateOnExit is.")


def stored_retry(retry: dict[str, Any] | None) -> dict[str, Any] | None:
    """A retry strategy as Batch keeps and answers it: each ``evaluateOnExit[].action`` lower-case, whatever
    case was sent ("The values aren't case sensitive" [M:EvaluateOnExit.action]; AWS answers ``retry``/``exit``,
    which the Terraform AWS provider lower-cases its own values to match [FIDELITY "Observed since"])."""
    if retry is None:
        return None
    stored = copy.deepcopy(retry)
    for rule in stored.get("evaluateOnExit") or []:
        if isinstance(rule.get("action"), str):
            rule["action"] = rule["action"].lower()
    return stored


def _container_body(props: dict[str, Any], fargate: bool) -> dict[str, Any]:
    body = copy.deepcopy(props)
    for key in ("environment", "mountPoints", "ulimits", "volumes", "resourceRequirements", "secrets"):
        body.setdefault(key, [])
    if fargate:
        body.setdefault("networkConfiguration", {"assignPublicIp": "DISABLED"})
        body.setdefault("fargatePlatformConfiguration", {"platformVersion": "LATEST"})
    return body


@handler("batch", "RegisterJobDefinition")
def register_job_definition(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    eks = "eksProperties" in req  # a job on Amazon EKS (eks.py): no container properties, no capabilities
    capabilities = req.get("platformCapabilities", ["EC2"])
    fargate = "FARGATE" in capabilities
    # "If you specify node properties for a job, it becomes a multi-node parallel job." (multinode.py)
    nodes = not eks and (req["type"] == "multinode" or "nodeProperties" in req)
    node_properties: Any = None
    if eks:
        pass
    elif nodes:
        node_properties = multinode.check_definition(ctx, req, _check_container, _container_body)
    elif "ecsProperties" in req:  # a multi-container job (ecs_properties.py)
        node_properties = ecs_properties.check_definition(ctx, req, fargate, check_environment, fargate_resources)
    elif "containerProperties" not in req:
        raise ClientException("containerProperties is required for a job definition of type container.")
    else:
        _check_container(req["containerProperties"], fargate)
    check_retry(req.get("retryStrategy"))
    name = req["jobDefinitionName"]
    revisions = batch_state(ctx).job_definitions.setdefault(name, [])
    revision = len(revisions) + 1
    arn = ctx.arn("batch", f"job-definition/{name}:{revision}")
    body: dict[str, Any] = {
        "jobDefinitionName": name,
        "jobDefinitionArn": arn,
        "revision": revision,
        "status": "ACTIVE",
        "type": req["type"],
        "parameters": dict(req.get("parameters", {})),
        "propagateTags": req.get("propagateTags", False),
        "platformCapabilities": list(capabilities),
        "containerOrchestrationType": "ECS",
    }
    if eks:
        body["containerProperties"] = {}
    elif nodes:
        body["nodeProperties"] = node_properties
    elif "ecsProperties" in req:
        body["ecsProperties"] = node_properties
    else:
        body["containerProperties"] = _container_body(req["containerProperties"], fargate)
    if "retryStrategy" in req:
        body["retryStrategy"] = stored_retry(req["retryStrategy"])
    check_properties(req.get("consumableResourceProperties"))
    for key in ("timeout", "schedulingPriority", "consumableResourceProperties"):
        if key in req:
            body[key] = copy.deepcopy(req[key])
    if eks:
        from .eks import definition_body

        body = definition_body(ctx, req, body)
    revisions.append(JobDefinition(name, revision, arn, body, dict(req.get("tags", {}))))
    return {"jobDefinitionName": name, "jobDefinitionArn": arn, "revision": revision}


def describe(definition: JobDefinition) -> dict[str, Any]:
    """The JobDefinition shape."""
    body = copy.deepcopy(definition.body)
    if definition.tags:
        body["tags"] = dict(definition.tags)
    return body


def find_definitions(ctx: Context, ref: str) -> list[JobDefinition]:
    """``name:revision`` or an ARN with revision → that revision; a bare name or an ARN without revision →
    every revision of that name."""
    plain = name_of(ctx, ref, "job-definition")
    if plain is None:
        return []
    name, _, revision = plain.partition(":")
    revisions = batch_state(ctx).job_definitions.get(name, [])
    if not revision:
        return list(revisions)
    if not revision.isdigit() or not 1 <= int(revision) <= len(revisions):
        return []
    return [revisions[int(revision) - 1]]


def _not_found(ref: str) -> ClientException:
    """SubmitJob's answer for a job definition it can't find, in AWS's observed wording (FIDELITY.md
    "Observed since"): "JobDefinition <arn> not found." for an ARN (with or without revision), "JobDefinition
    name <name> does not exist or is not in ACTIVE status" for a bare name. For ``name:revision`` no wording
    is known: the fake answers the ARN form's sentence with the reference as given (docs/fidelity-batch.md)."""
    if ref.startswith("arn:") or ":" in ref:
        return ClientException(f"JobDefinition {ref} not found.")
    return ClientException(f"JobDefinition name {ref} does not exist or is not in ACTIVE status")


def resolve_definition(ctx: Context, ref: str) -> JobDefinition:
    """The job definition SubmitJob names: without a revision, the latest ACTIVE one [M:SubmitJobRequest]."""
    plain = name_of(ctx, ref, "job-definition")
    if plain is not None and ":" not in plain:
        revisions = batch_state(ctx).job_definitions.get(plain, [])
        latest = next((d for d in reversed(revisions) if d.status == "ACTIVE"), None)
        if latest is None:
            raise _not_found(ref)
        return latest
    found = find_definitions(ctx, ref)
    if not found:
        raise _not_found(ref)
    if found[0].status != "ACTIVE":
        raise ClientException(f"Job definition {ref} is INACTIVE: register a new revision or submit another one.")
    return found[0]


@handler("batch", "DescribeJobDefinitions")
def describe_job_definitions(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    refs = req.get("jobDefinitions")
    if refs and ("jobDefinitionName" in req or "status" in req):
        raise ClientException("jobDefinitions can't be used with jobDefinitionName or status.")
    if refs:
        seen: dict[str, JobDefinition] = {}
        for ref in refs:
            seen.update((d.arn, d) for d in find_definitions(ctx, ref))  # unknown ones are simply absent
        chosen = list(seen.values())
    else:
        name = req.get("jobDefinitionName")
        everything = batch_state(ctx).job_definitions
        chosen = [d for n, revisions in everything.items() if name in (None, n) for d in revisions]
        if "status" in req:
            chosen = [d for d in chosen if d.status == req["status"]]
    chunk, token = page(chosen, req, "DescribeJobDefinitions", ClientException)
    return with_token({"jobDefinitions": [describe(d) for d in chunk]}, token)


@handler("batch", "DeregisterJobDefinition")
def deregister_job_definition(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    ref = req["jobDefinition"]
    if ":" not in (name_of(ctx, ref, "job-definition") or ""):
        raise ClientException(f"Deregistering needs 'name:revision' or the job definition's ARN, got {ref!r}.")
    found = find_definitions(ctx, ref)
    if not found:
        raise ClientException(f"Job definition {ref} does not exist.")
    found[0].body["status"] = "INACTIVE"
    return {}
