"""Diagnostics: what a test reads when something went wrong, or asserts on.

``calls`` holds ``assert_called``/``assert_not_called`` and their explanations; ``report`` the failure
report (every call with its fake time, outcome and region, each task's and job's timeline, hints).

May import: ``wire``, the service packages (to read their state), ``schemas`` and ``core``. Never a way in.
"""
