"""CloudWatch Logs: log groups, log streams and their events, and the writer the ECS and Batch lifecycles use
for their containers' output (``state.write``). Handler modules register their operations when imported;
``_registry.MODULES`` says which module to import for an operation. May import the core (``_context``,
``_errors``, ``_paging``), never ``ecs`` or ``batch``."""
