"""Names and ARNs: Batch requests name a resource either way; ARNs of another region or account name nothing."""

from __future__ import annotations

from ..core.context import Context


def name_of(ctx: Context, ref: str, resource_type: str) -> str | None:
    """The name in ``ref`` (a name, or an ARN ``arn:aws:batch:<region>:<acct>:<resource_type>/<name>``)."""
    if not ref.startswith("arn:"):
        return ref
    prefix = ctx.arn("batch", f"{resource_type}/")
    return ref[len(prefix) :] if ref.startswith(prefix) and len(ref) > len(prefix) else None
