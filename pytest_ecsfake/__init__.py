"""pytest-ecsfake: AWS ECS tasks and AWS Batch jobs, faked in memory on a freezegun-driven clock.

Importing this package is cheap: botocore, freezegun, jsonschema and the schemas load on first use.
"""

from __future__ import annotations

from .core.errors import RequestShapeError
from .schemas import validate_request
from .ways_in.fake import EcsFake, mock_ecs

__all__ = ["EcsFake", "RequestShapeError", "mock_ecs", "validate_request"]

# The one place the version is written: pyproject.toml reads it from here (tool.setuptools.dynamic).
__version__ = "0.1.0"
