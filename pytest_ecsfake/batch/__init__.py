"""AWS Batch: compute environments, job queues, job definitions and jobs, each job attempt an ECS task;
the Batch timings (``timings``).

Handler modules register their operations (``@handler``) when imported; the registry imports one at the first
call of one of its operations.

May import: ``ecs`` (attempts are ECS tasks in the environment's cluster), ``logs``, ``schemas`` and ``core``.
Never the wire or a way in.
"""
