"""The simulation core: what every layer above builds on, and nothing above it.

Holds the clock and its event queue (``clock``), the state of one fake (``backend``: regions, calls, faults,
behaviours, ids), what a handler gets (``context``), the handler table (``registry``), AWS's error types
(``errors``), container behaviours (``behavior``), paging tokens (``paging``), JSON encoding of answers
(``encoded``, ``reuse``) and the hooks a way in sets for the layers below it (``hooks``).

May import: the standard library, and the other modules of this package (one way: no cycle). Never a service
package, the wire, diagnostics or a way in (all above it); a service's state is created through the factory it registers
(``context.SERVICE_STATES``).
"""
