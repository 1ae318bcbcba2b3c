"""Exceptions: AWS errors the fake answers with, and the errors it raises at test authors.

An ``AwsError`` travels from a handler to the protocol encoder, which turns it into the wire error
botocore parses into ``client.exceptions.<code>``. Handlers raise the subclass named after the AWS code.
"""

from __future__ import annotations

README_ERRORS = "https://github.com/pytest-ecsfake/pytest-ecsfake#errors-you-may-see"


class AwsError(Exception):
    """An error AWS itself would answer. ``code`` is the AWS error type, ``status`` the HTTP status."""

    code = "ServerException"
    status = 400
    # The rules of the API reference the request broke (``Violation.detail`` lines), for the call record.
    violations: tuple[str, ...] = ()

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


# ECS and Batch share these two names.
class ClientException(AwsError):
    code = "ClientException"


class ServerException(AwsError):
    code = "ServerException"
    status = 500


class InvalidParameterException(AwsError):
    code = "InvalidParameterException"


class ClusterNotFoundException(AwsError):
    code = "ClusterNotFoundException"


class ClusterContainsTasksException(AwsError):
    code = "ClusterContainsTasksException"


class ClusterContainsServicesException(AwsError):
    code = "ClusterContainsServicesException"


class ClusterContainsContainerInstancesException(AwsError):
    code = "ClusterContainsContainerInstancesException"


class ResourceNotFoundException(AwsError):
    code = "ResourceNotFoundException"


class ConflictException(AwsError):
    code = "ConflictException"


class SerializationException(AwsError):
    code = "SerializationException"


class UnknownOperationException(AwsError):
    code = "UnknownOperationException"


class UnsupportedOperation(AwsError):
    """A real ECS/Batch operation that the fake does not implement yet (answered as HTTP 501)."""

    code = "UnsupportedOperation"
    status = 501


class RequestShapeError(ValueError):
    """A request body breaks the API reference's rules; ``violations`` lists every rule broken, one line
    each: AWS's message, and the field and rule where the message does not name them.

    Example::

        try:
            validate_request("ecs", "DescribeTasks", {"tasks": []})
        except RequestShapeError as exc:
            print(exc.violations)
            # ["Tasks cannot be empty. (field 'tasks': minItems 1)"]
    """

    def __init__(self, service: str, operation: str, violations: list[str]) -> None:
        self.service = service
        self.operation = operation
        self.violations = violations
        lines = "\n".join(f"  - {v}" for v in violations)
        super().__init__(f"{service} {operation}: {len(violations)} rule(s) broken:\n{lines}")


class FakeBugError(AssertionError):
    """A bug inside the fake (never an AWS error). Raised at teardown so the test fails."""


class ResourceAlreadyExistsException(AwsError):
    code = "ResourceAlreadyExistsException"
