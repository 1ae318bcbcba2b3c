"""AWS Batch: compute environments, job queues, job definitions and jobs, each job attempt an ECS task.
Handler modules register their operations when imported; ``_registry.MODULES`` says which module to
import for an operation."""
