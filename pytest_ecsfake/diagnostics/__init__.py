"""Diagnostics: what a test reads when something went wrong, or asserts on.

``calls`` holds ``assert_called``/``assert_not_called`` and their explanations; ``report`` the failure
report (every call with its fake time, outcome and region, each task's and job's timeline, hints).

May import: ``core``. It reads the services' state by attribute (a task's timeline, a job's attempts) and never
imports a service, the wire or a way in; the ways in use it.
"""
