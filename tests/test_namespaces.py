"""ListServicesByNamespace: the services of every cluster that joined a Service Connect namespace."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from service_helpers import web_service

from pytest_ecsfake import EcsFake

SERVICE = "arn:aws:ecs:us-east-1:123456789012:service/{}/{}"
OTHER_NS = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-abcdefghij012345"


def connect(namespace: str | None = None, enabled: bool = True) -> dict[str, Any]:
    config: dict[str, Any] = {"enabled": enabled}
    if namespace is not None:
        config["namespace"] = namespace
    return {"serviceConnectConfiguration": config}


def listed(ecs: Any, namespace: str, **extra: Any) -> list[str]:
    pages = ecs.get_paginator("list_services_by_namespace").paginate(namespace=namespace, **extra)
    return [arn for p in pages for arn in p["serviceArns"]]


def test_services_of_every_cluster_in_the_namespace(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c")
    ecs.create_cluster(clusterName="d")
    web_service(ecs, name="api", **connect("shop"))
    web_service(ecs, name="cart", cluster="d", **connect("shop"))
    web_service(ecs, name="admin", **connect("back-office"))
    web_service(ecs, name="plain")
    web_service(ecs, name="off", **connect("shop", enabled=False))
    assert listed(ecs, "shop") == [SERVICE.format("c", "api"), SERVICE.format("d", "cart")]
    assert listed(ecs, "back-office") == [SERVICE.format("c", "admin")]


def test_the_cluster_default_namespace_is_used_when_the_service_names_none(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c", serviceConnectDefaults={"namespace": "shop"})
    web_service(ecs, name="client", **connect())
    web_service(ecs, name="own", **connect("elsewhere"))
    assert listed(ecs, "shop") == [SERVICE.format("c", "client")]
    assert listed(ecs, "elsewhere") == [SERVICE.format("c", "own")]


def test_an_empty_namespace_the_cluster_created_is_empty_not_missing(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c", serviceConnectDefaults={"namespace": "fresh"})
    assert ecs.list_services_by_namespace(namespace="fresh")["serviceArns"] == []


def test_a_namespace_given_by_arn(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c")
    web_service(ecs, name="api", **connect(OTHER_NS))
    assert listed(ecs, OTHER_NS) == [SERVICE.format("c", "api")]


def test_an_unknown_namespace_is_refused(ecs: Any) -> None:
    for namespace in ("nowhere", OTHER_NS):
        with pytest.raises(ecs.exceptions.NamespaceNotFoundException):
            ecs.list_services_by_namespace(namespace=namespace)


def test_pagination_ten_a_page_by_default(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c")
    for n in range(12):
        web_service(ecs, name=f"s{n:02}", desired=0, **connect("shop"))
    first = ecs.list_services_by_namespace(namespace="shop")
    assert len(first["serviceArns"]) == 10 and "nextToken" in first
    rest = ecs.list_services_by_namespace(namespace="shop", nextToken=first["nextToken"])
    assert [a.rsplit("/", 1)[1] for a in rest["serviceArns"]] == ["s10", "s11"]
    assert len(listed(ecs, "shop", PaginationConfig={"PageSize": 5})) == 12


def test_update_service_moves_a_service_and_deleted_services_leave(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="c")
    web_service(ecs, name="api", desired=1, **connect("shop"))
    web_service(ecs, name="cart", desired=1, **connect("shop"))
    ecs.update_service(cluster="c", service="api", **connect("outlet"))
    assert listed(ecs, "shop") == [SERVICE.format("c", "cart")]
    assert listed(ecs, "outlet") == [SERVICE.format("c", "api")]
    ecs.delete_service(cluster="c", service="cart", force=True)
    assert listed(ecs, "shop") == []
    ecs.update_service(cluster="c", service="api", **connect(enabled=False))
    assert listed(ecs, "outlet") == []


def test_namespaces_are_per_region(ecs_fake: EcsFake) -> None:
    east = boto3.client("ecs", region_name="us-east-1")
    west = boto3.client("ecs", region_name="us-west-2")
    east.create_cluster(clusterName="c")
    web_service(east, name="api", **connect("shop"))
    assert east.list_services_by_namespace(namespace="shop")["serviceArns"] == [SERVICE.format("c", "api")]
    with pytest.raises(west.exceptions.NamespaceNotFoundException):
        west.list_services_by_namespace(namespace="shop")


def test_the_deployment_shows_its_service_connect_configuration(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c")
    web_service(ecs, name="api", desired=0, **connect("shop"))
    ecs.update_service(cluster="c", service="api", **connect("outlet"))
    found = ecs.describe_services(cluster="c", services=["api"])["services"][0]
    assert [d["serviceConnectConfiguration"]["namespace"] for d in found["deployments"]] == ["outlet", "shop"]


def test_a_cluster_default_given_by_name_is_answered_as_the_namespace_arn(ecs: Any, ecs_fake: EcsFake) -> None:
    # As UpdateCluster answers it (the AWS CLI's update-cluster example): one ARN per name, whichever call named it.
    created = ecs.create_cluster(clusterName="c", serviceConnectDefaults={"namespace": "shop"})["cluster"]
    arn = created["serviceConnectDefaults"]["namespace"]
    assert arn.startswith("arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-")
    assert [(a["type"], a["status"]) for a in created["attachments"]] == [("sc", "ATTACHED")]
    ecs.create_cluster(clusterName="d")
    updated = ecs.update_cluster(cluster="d", serviceConnectDefaults={"namespace": "shop"})["cluster"]
    assert updated["serviceConnectDefaults"]["namespace"] == arn
    web_service(ecs, name="api", **connect())
    web_service(ecs, name="cart", cluster="d", **connect())
    assert listed(ecs, arn) == listed(ecs, "shop") == [SERVICE.format("c", "api"), SERVICE.format("d", "cart")]
