"""The ways in: how calls and waits reach a fake, and the ``EcsFake`` a test holds.

``fake`` (``EcsFake``, ``mock_ecs``) and ``options`` are the facade; ``active`` the stack of active fakes;
``intercept`` (botocore), ``requests_mock``, ``aio`` (aiobotocore) and ``server`` (HTTP, the AWS CLI) bring
requests to the wire; ``with_moto`` keeps moto from answering ECS and Batch; ``guard`` refuses calls made with
no fake; ``when_imported`` patches a package when it is imported; ``fake_time`` makes waits move the fake
clock instead of wall time.

May import: everything below it (``wire``, the services, ``schemas``, ``diagnostics``, ``core``). Only the
package root (``plugin``, ``cli``, ``__init__``) imports it.
"""
