"""The operation -> module table the registry imports from matches what the handler modules register."""

from __future__ import annotations

import json

from child import python

from pytest_ecsfake.core import registry as _registry


def test_every_operation_is_registered_by_the_module_the_table_names() -> None:
    for service in _registry.SERVICES:
        assert _registry.supported(service) == sorted(_registry.MODULES[service])
        for operation, module in _registry.MODULES[service].items():
            found = _registry.get(service, operation)
            assert found is not None and found.__module__ == module, (service, operation)
    assert _registry.get("ecs", "CreateTaskSet") is None  # a real operation the fake does not implement
    assert _registry.get("nope", "RunTask") is None


def test_the_first_call_imports_only_what_it_needs() -> None:
    loaded = json.loads(python("""
        import json, sys
        import boto3
        from pytest_ecsfake import EcsFake
        with EcsFake():
            boto3.client("ecs", region_name="us-east-1").list_clusters()
        handlers = ("pytest_ecsfake.ecs.", "pytest_ecsfake.batch.")
        print(json.dumps(sorted(m for m in sys.modules if m.startswith(handlers))))
    """))
    assert "pytest_ecsfake.ecs.clusters" in loaded
    # Every service's default timings are read when the fake is made (its timings option); no Batch handler.
    assert [m for m in loaded if m.startswith("pytest_ecsfake.batch.")] == ["pytest_ecsfake.batch.timings"]
    assert "pytest_ecsfake.ecs.services" not in loaded and "pytest_ecsfake.ecs.tasks" not in loaded


def test_a_handler_module_imported_again_serves_as_before() -> None:
    # pytester's in-process runs drop the modules a run imported; the registry keeps its table. A handler module
    # imported for the first time inside such a run is imported again later: that must not be "two handlers"
    # (it was: ListTasks with serviceName answered ServerException when the suite ran in another order).
    out = python("""
        import sys
        import boto3
        from pytest_ecsfake import EcsFake
        with EcsFake():
            ecs = boto3.client("ecs", region_name="us-east-1")
            ecs.create_cluster(clusterName="c")
            ecs.list_services(cluster="c")
            del sys.modules["pytest_ecsfake.ecs.services"]
            try:  # ListTasks with serviceName imports the services module again
                ecs.list_tasks(cluster="c", serviceName="web")
            except ecs.exceptions.ServiceNotFoundException as error:
                print(error.response["Error"]["Message"])
    """)
    assert out.strip() == "Service not found."


def test_two_modules_cannot_register_one_operation() -> None:
    import pytest

    def run_task(ctx: object, req: dict[str, object]) -> dict[str, object]:
        return {}

    with pytest.raises(RuntimeError, match="two handlers for ecs:RunTask: pytest_ecsfake.ecs.tasks and "):
        _registry.handler("ecs", "RunTask")(run_task)  # type: ignore[arg-type]
