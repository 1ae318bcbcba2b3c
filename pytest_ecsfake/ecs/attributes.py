"""Attributes of container instances: PutAttributes, DeleteAttributes, ListAttributes.

An instance's attributes live on its record (``ContainerInstance.attributes``, name → value or None): the same
dictionary DescribeContainerInstances answers and placement's ``memberOf(attribute:...)`` and
``requiresAttributes`` read, so an attribute put after registration places tasks from the next call on.
``container-instance`` is the only target type [M:TargetType]. Choices where AWS is silent:
``docs/fidelity-container-instances.md`` ("Attributes").
"""

from __future__ import annotations

from typing import Any

from ..core.context import Context
from ..core.errors import AwsError, InvalidParameterException
from ..core.paging import page, with_token
from ..core.registry import handler
from .clusters import get_cluster
from .instance_model import ContainerInstance, find_instance, instances_of
from .state import Cluster

TARGET_TYPE = "container-instance"
MAX_CUSTOM = 10  # "You can specify up to 10 custom attributes for each resource." [M:PutAttributesRequest.attributes]
# Names the ECS agent sets at registration (ecs.ami-id, ecs.capability.*, com.amazonaws.ecs.capability.*):
# built-in attributes, which do not count towards the limit of custom ones.
BUILT_IN_PREFIXES = ("ecs.", "com.amazonaws.ecs.")


class TargetNotFoundException(AwsError):
    code = "TargetNotFoundException"


class AttributeLimitExceededException(AwsError):
    code = "AttributeLimitExceededException"


def is_custom(name: str) -> bool:
    return not name.startswith(BUILT_IN_PREFIXES)


def custom_count(attributes: dict[str, str | None]) -> int:
    return sum(1 for name in attributes if is_custom(name))


def _targets(ctx: Context, cluster: Cluster, attribute: dict[str, Any]) -> list[ContainerInstance]:
    """The instance an attribute's ``targetId`` (an ARN or a bare id) names in ``cluster``; with no ``targetId``,
    every registered instance of the cluster. AWS documents no refusal of an attribute without a target and no
    meaning for one: the fake follows moto, whose tests put such attributes on the cluster's instances, rather
    than refuse a request AWS may accept (docs/fidelity-container-instances.md)."""
    target_id = attribute.get("targetId")
    if not target_id:
        return [instance for instance in instances_of(ctx, cluster) if instance.status != "INACTIVE"]
    instance = find_instance(ctx, cluster, target_id)
    if instance is None or instance.status == "INACTIVE":
        # The type is the model's [M:PutAttributes errors]; the wording is not confirmed.
        raise TargetNotFoundException(
            f"Could not find {target_id} in cluster {cluster.name}: no registered container instance has "
            "that ARN or id."
        )
    return [instance]


def _answer(attribute: dict[str, Any], value: str | None) -> dict[str, Any]:
    """An attribute as the request gave it (name, its value, targetId and targetType as sent), as the AWS CLI's
    put-attributes example answers it."""
    body: dict[str, Any] = {"name": attribute["name"]}
    if value is not None:
        body["value"] = value
    for key in ("targetType", "targetId"):
        if key in attribute:
            body[key] = attribute[key]
    return body


@handler("ecs", "PutAttributes")
def put_attributes(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """Create or replace attributes on container instances; all of them or none (the limit is checked on the
    result before anything changes)."""
    cluster = get_cluster(ctx, req.get("cluster"))
    planned: dict[ContainerInstance, dict[str, str | None]] = {}
    for attribute in req["attributes"]:
        for instance in _targets(ctx, cluster, attribute):
            planned.setdefault(instance, dict(instance.attributes))[attribute["name"]] = attribute.get("value")
    for instance, attributes in planned.items():
        if custom_count(attributes) > MAX_CUSTOM:
            # The type is AWS's; the sentence is the model's documentation of it (AWS's wording not confirmed).
            raise AttributeLimitExceededException(
                f"You can apply up to {MAX_CUSTOM} custom attributes for each resource: {instance.arn} would "
                f"have {custom_count(attributes)}. Remove some with DeleteAttributes."
            )
    for instance, attributes in planned.items():
        if attributes != instance.attributes:
            instance.attributes.clear()
            instance.attributes.update(attributes)
            instance.version += 1
    return {"attributes": [_answer(a, a.get("value")) for a in req["attributes"]]}


@handler("ecs", "DeleteAttributes")
def delete_attributes(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """Delete attributes from container instances. Deleting a name the instance does not have succeeds and
    changes nothing (the fake's choice). The answer lists each attribute deleted, with the value it had."""
    cluster = get_cluster(ctx, req.get("cluster"))
    targets = [(_targets(ctx, cluster, a), a) for a in req["attributes"]]  # every target is checked first
    deleted = []
    for instances, attribute in targets:
        name, value = attribute["name"], attribute.get("value")
        for instance in instances:
            if name in instance.attributes:
                value = instance.attributes.pop(name)
                instance.version += 1
        deleted.append(_answer(attribute, value))
    return {"attributes": deleted}


@handler("ecs", "ListAttributes")
def list_attributes(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """One attribute object per attribute of each registered (not INACTIVE) container instance of the
    cluster, built-in ones included, in registration order; filtered by name, or by name and value."""
    cluster = get_cluster(ctx, req.get("cluster"))
    name, value = req.get("attributeName"), req.get("attributeValue")
    if value is not None and name is None:
        # The model says it, AWS is not known to refuse it: answered (filtered by value), recorded.
        ctx.documented("attributeValue needs attributeName (documented: \"You must also specify an attribute name "
                       "to use this parameter.\" [M:ListAttributesRequest.attributeValue])")
    found: list[dict[str, Any]] = []
    for instance in instances_of(ctx, cluster):
        if instance.status == "INACTIVE":
            continue
        for key, held in instance.attributes.items():
            if (name is not None and key != name) or (value is not None and held != value):
                continue
            item: dict[str, Any] = {"name": key, "targetType": TARGET_TYPE, "targetId": instance.arn}
            if held is not None:
                item["value"] = held
            found.append(item)
    chunk, token = page(found, req, "ListAttributes", InvalidParameterException)
    return with_token({"attributes": chunk}, token)
