"""Fake time: the test's waits move the fake clock instead of taking wall time.

``freezer`` starts freezegun for a fake; ``sleep`` and ``asleep`` are the twins of ``time.sleep`` and
``asyncio.sleep``; ``bindings`` rebinds the names modules hold for the real ones; ``modules`` is the
snapshot of loaded modules both walks share.

May import: ``ways_in.active`` (which fake drives the clock, from which thread) and ``core``.
"""
