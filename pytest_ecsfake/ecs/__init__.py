"""ECS: resources, their handlers and the task lifecycle. Handler modules register their operations when
imported; ``_registry.MODULES`` says which module to import for an operation."""
