"""Issue 20, point 5: no ECS operation is unsupported. Every operation of the installed botocore's ECS model has a
handler that is not a stub (a stub, or no handler at all, answers UnsupportedOperation). The failure names the
operations still missing."""

from __future__ import annotations

from pathlib import Path

import botocore.session

from pytest_ecsfake.scaffold import tables

ROOT = Path(__file__).resolve().parents[1]


def test_every_ecs_operation_of_the_installed_botocore_has_a_handler() -> None:
    model = botocore.session.get_session().get_service_model("ecs")
    handlers = tables.scan(ROOT)["ecs"]
    missing = sorted(op for op in model.operation_names if op not in handlers)
    stubs = sorted(op for op in model.operation_names if op in handlers and handlers[op].stub)
    assert not missing and not stubs, (
        f"ECS operations of botocore {botocore.__version__}'s model that answer UnsupportedOperation: "
        f"{len(missing)} without a handler ({', '.join(missing) or 'none'}), "
        f"{len(stubs)} stubs ({', '.join(stubs) or 'none'})"
    )
