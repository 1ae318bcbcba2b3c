"""The wire: HTTP requests in, HTTP responses out, with no transport of its own.

``protocol`` decodes a request (which service and operation, the JSON or REST-JSON body, the region) and
encodes answers and AWS errors as each service's protocol does; ``dispatch`` takes one request through fault
injection, schema validation, the handler and the call record.

May import: ``schemas`` and ``core``. Never a way in; services only through the registry (by
name, at the first call of an operation).
"""
