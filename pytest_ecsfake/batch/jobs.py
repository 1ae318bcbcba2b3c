"""SubmitJob and DescribeJobs. ListJobs lives in listing.py, TerminateJob/CancelJob in stopping.py."""

from __future__ import annotations

from functools import partial
from typing import Any

from ..core.context import Context
from ..core.errors import ClientException
from ..core.registry import handler
from ..core.reuse import described
from . import consumables, ecs_properties, eks, fair_share, multinode, nodes, transitions
from .job_definitions import (
    check_environment,
    check_retry,
    fargate_resources,
    number,
    requirement,
    resolve_definition,
    stored_retry,
)
from .job_queues import find_queue
from .state import Job, JobDefinition, batch_state, grown, json_copy
from .stopping import find_job
from .wire import job_detail

_RESOURCE_MEMBERS = frozenset({"vcpus", "memory", "resourceRequirements"})  # containerOverrides members


def _container(definition: JobDefinition, req: dict[str, Any], parameters: dict[str, str]) -> dict[str, Any]:
    """The job's ContainerProperties: the definition's, with SubmitJob's overrides and parameters applied.

    Copy-on-write: a shallow copy of the definition's ``containerProperties`` whose overridden members are
    replaced by new values, never changed in place; the members not overridden are shared with the definition.
    Both are read-only once made (DescribeJobs encodes them as they are), so sharing is safe.
    """
    props: dict[str, Any] = dict(definition.body["containerProperties"])
    changes = req.get("containerOverrides", {})
    if "instanceType" in changes:
        raise ClientException("containerOverrides.instanceType isn't applicable to single-node container jobs.")
    for member in ("vcpus", "memory"):
        if member in changes:
            if definition.fargate:
                raise ClientException(
                    f"containerOverrides.{member} isn't supported for jobs running on Fargate resources: use "
                    "resourceRequirements."
                )
            props[member] = changes[member]
    if "command" in changes:
        props["command"] = list(changes["command"])
    if "environment" in changes:
        check_environment(changes["environment"])
        props["environment"] = _merged_environment(props.get("environment", []), changes["environment"])
    if "resourceRequirements" in changes:
        by_type = {r["type"]: dict(r) for r in props.get("resourceRequirements", [])}
        by_type.update({r["type"]: dict(r) for r in changes["resourceRequirements"]})
        props["resourceRequirements"] = list(by_type.values())
    if "command" in props:
        # "Ref::name" placeholders in the command take the parameter's value [M:SubmitJobRequest.parameters].
        props["command"] = [
            parameters.get(arg[5:], arg) if arg.startswith("Ref::") else arg for arg in props["command"]
        ]
    return props


def _merged_environment(base: list[dict[str, Any]], changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The definition's variables with the override's: a name given again takes the override's value. The
    model leaves ``name`` optional; a variable without one is kept as given, replacing nothing."""
    merged: dict[Any, dict[str, Any]] = {}
    for place, variable in enumerate([*base, *changes]):
        name = variable.get("name")
        merged[("name", name) if name is not None else ("unnamed", place)] = dict(variable)
    return list(merged.values())


def _resources(props: dict[str, Any], definition: JobDefinition, changes: dict[str, Any]) -> tuple[float, int]:
    """The job's vCPUs and MiB; without containerOverrides of them, the definition's (worked out once)."""
    if _RESOURCE_MEMBERS.isdisjoint(changes):
        if definition.resources is None:  # not cached when it raises: every such SubmitJob raises alike
            definition.resources = _work_out_resources(props, definition.fargate)
        return definition.resources
    return _work_out_resources(props, definition.fargate)


def _work_out_resources(props: dict[str, Any], fargate: bool) -> tuple[float, int]:
    """vCPUs and MiB: resourceRequirements first, else the deprecated vcpus/memory."""
    requirements = props.get("resourceRequirements", [])
    vcpu, memory = requirement(requirements, "VCPU"), requirement(requirements, "MEMORY")
    vcpus = number(vcpu, "VCPU") if vcpu is not None else props.get("vcpus")
    mib = int(number(memory, "MEMORY")) if memory is not None else props.get("memory")
    if fargate:
        fargate_resources(vcpus, mib)
    else:
        if vcpus is None or vcpus < 1:
            raise ClientException("The job must reserve at least 1 vCPU: set VCPU in resourceRequirements (in the job "
                                  "definition or containerOverrides).")
        if mib is None or mib < 4:
            raise ClientException("The job must reserve at least 4 MiB of memory: set MEMORY in resourceRequirements "
                                  "(in the job definition or containerOverrides).")
    assert vcpus is not None and mib is not None
    return float(vcpus), int(mib)


def _dependencies(ctx: Context, req: dict[str, Any], size: int | None) -> list[Job]:
    found: list[Job] = []
    for spec in req.get("dependsOn", []):
        kind, ident = spec.get("type"), spec.get("jobId")
        if kind == "SEQUENTIAL" and (size is None or ident):
            # The reference: SEQUENTIAL is for array jobs and takes no jobId. AWS's refusal is not known (code
            # that writes {"jobId": x, "type": "SEQUENTIAL"} for a plain dependency exists): recorded; with a jobId
            # it is a plain dependency on that job, without one (not an array job) it means nothing.
            ctx.documented("SubmitJob: a SEQUENTIAL dependency is for array jobs and takes no jobId (the fake "
                           + ("made it a plain dependency on that job)" if ident else "ignored it)"))
            if not ident:
                continue
        elif kind == "SEQUENTIAL":
            continue
        if not ident:
            raise ClientException("dependsOn: jobId is required (except for a SEQUENTIAL dependency of an array job).")
        dep = find_job(ctx, ident)
        if dep is None:
            raise ClientException(f"dependsOn: job {ident} does not exist.")
        if kind == "N_TO_N" and (size is None or dep.size != size):
            raise ClientException(
                f"An N_TO_N dependency needs two array jobs of the same size; job {ident} has size {dep.size} and "
                f"this job {size}."
            )
        found.append(dep)
    return found


def _check_queue(ctx: Context, req: dict[str, Any], definition: JobDefinition) -> Any:
    queue = find_queue(ctx, req["jobQueue"])
    if queue is None:  # AWS's wording, with the name or ARN as the request gave it (FIDELITY.md "Observed since")
        raise ClientException(f"JobQueue {req['jobQueue']} not found.")
    if queue.state != "ENABLED" or queue.status == "DELETING":
        why = "being deleted" if queue.status == "DELETING" else "DISABLED"
        raise ClientException(f"Job queue {queue.name} is {why}: new jobs can't be added to it.")
    if queue.service_order:  # own wording, not confirmed
        raise ClientException(f"Job queue {queue.name} is of type SAGEMAKER_TRAINING: submit service jobs to it "
                              "with SubmitServiceJob.")
    fargate = definition.fargate
    for _, env in queue.order:
        if (env.eks is not None) != definition.eks:  # own wording, not confirmed (the sentence below is AWS's)
            kind = "Amazon EKS" if definition.eks else "Amazon ECS"
            raise ClientException(f"Job Queue is attached to Compute Environment that can not run {kind} Jobs")
        if env.fargate != fargate:
            capability = "FARGATE" if fargate else "EC2"
            raise ClientException(
                f"Job Queue is attached to Compute Environment that can not run Jobs with capability {capability}"
            )
    return queue


@handler("batch", "SubmitJob")
def submit_job(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    definition = resolve_definition(ctx, req["jobDefinition"])
    queue = _check_queue(ctx, req, definition)
    share = fair_share.check_submission(ctx, queue, req, definition)
    parameters = {**definition.body.get("parameters", {}), **req.get("parameters", {})}
    plan = multi = None
    eks_props: dict[str, Any] | None = None
    if definition.eks:  # a job on Amazon EKS (eks.py): a pod, no container properties
        if "ecsPropertiesOverride" in req:  # wording not confirmed
            raise ClientException("ecsPropertiesOverride is only for jobs whose job definition has ecsProperties.")
        props: dict[str, Any] = {}
        eks_props, vcpus, memory = eks.job_properties(ctx, definition, req)
    else:
        if "eksPropertiesOverride" in req:
            ctx.documented("SubmitJobRequest.eksPropertiesOverride: only for jobs that run on Amazon EKS resources")
        if multinode.is_multinode(definition):  # each node's container (multinode.py); the job's are their sums
            plan = multinode.plan(ctx, definition, req, parameters, _container, _resources)
        elif "nodeOverrides" in req:
            raise ClientException("nodeOverrides is only for multi-node parallel jobs.")  # wording not confirmed
        if ecs_properties.is_multi_container(definition):  # the task's containers (ecs_properties.py)
            multi = ecs_properties.for_job(definition, req, parameters, check_environment)
        elif "ecsPropertiesOverride" in req:  # wording not confirmed
            raise ClientException("ecsPropertiesOverride is only for jobs whose job definition has ecsProperties.")
        props = {} if plan is not None or multi is not None else _container(definition, req, parameters)
        changes = req.get("containerOverrides", {})
        vcpus, memory = (plan.totals if plan is not None else multi.totals if multi is not None
                         else _resources(props, definition, changes))
    retry = stored_retry(req.get("retryStrategy", definition.body.get("retryStrategy")))
    check_retry(retry)
    size: int | None = None
    if "arrayProperties" in req:
        size = req["arrayProperties"].get("size")
        if size is None:
            raise ClientException("arrayProperties.size is required for an array job (2 to 10,000).")
    waits_for = _dependencies(ctx, req, size)
    state = batch_state(ctx)
    job_id = ctx.backend.ids.uuid()
    job = Job(
        id=job_id,
        arn=ctx.arn("batch", f"job/{job_id}"),
        name=req["jobName"],
        key=(state.seq(), 0),
        queue=queue,
        definition=definition,
        created_at=ctx.now,
        container=props,
        vcpus=vcpus,
        memory=memory,
        parameters=parameters,
        retry=retry,
        timeout=json_copy(req.get("timeout", definition.body.get("timeout"))),
        tags=dict(req.get("tags", {})),
        propagate_tags=req.get("propagateTags", definition.body.get("propagateTags", False)),
        depends_on=[dict(d) for d in req.get("dependsOn", [])],
        scheduling_priority=req.get("schedulingPriorityOverride", definition.body.get("schedulingPriority")),
        size=size,
        waits_for=waits_for,
        share_identifier=share,
        consumables=consumables.for_job(ctx, definition, req),
        containers=multi.containers if multi is not None else None,
        eks=eks_props,
    )
    if share is not None:
        fair_share.submitted(queue, job)
    if plan is not None:
        nodes.attach(job, plan)
    if size is None:
        for dep in waits_for:
            dep.dependents = grown(dep.dependents, job)  # an array parent's children wait instead (arrays.spawn)
    state.jobs[job_id] = job
    backend = ctx.backend
    backend.events.schedule_call(ctx.now + backend.timings["batch_submitted"], transitions.leave_submitted, backend,
                                 job)
    return {"jobArn": job.arn, "jobName": job.name, "jobId": job.id}


@handler("batch", "DescribeJobs")
def describe_jobs(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    found = [find_job(ctx, ref) for ref in req["jobs"]]
    # Unknown ids are simply absent. Each JobDetail is encoded once per state of the fake (see core.reuse).
    return {"jobs": [described(ctx.backend, job, None, partial(job_detail, job)) for job in found if job is not None]}
