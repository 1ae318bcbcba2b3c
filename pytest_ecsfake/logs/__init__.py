"""CloudWatch Logs: log groups, log streams and their events, and the writer the ECS and Batch lifecycles use
for their containers' output (``state.write``).

Handler modules register their operations (``@handler``) when imported; the registry imports one at the first
call of one of its operations.

May import: ``schemas`` and ``core``. Never ``ecs`` or ``batch``, the wire, diagnostics or a way in.
"""
