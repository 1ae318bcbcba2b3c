"""ECS: clusters, task definitions, tasks and their lifecycle, container instances and placement, services
and deployments, tags; the ECS timings (``timings``).

Handler modules register their operations (``@handler``) when imported; the registry imports one at the first
call of one of its operations. The model of a resource sits in its own module beside its handlers.

May import: ``logs`` (containers write their output there), ``schemas`` and ``core``. Never ``batch``, the
wire, diagnostics or a way in.
"""
