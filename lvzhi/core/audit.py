"""Writing the audit log. Every service that does a security-relevant act calls `record`."""

from .models import AuditEvent

Action = AuditEvent.Action
Result = AuditEvent.Result


def client_ip(request):
    """The client address; behind a reverse proxy set it to pass REMOTE_ADDR (we do not trust
    X-Forwarded-For by default because any client can forge it)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action,
    *,
    actor=None,
    request=None,
    username="",
    committee=None,
    obj=None,
    summary="",
    detail=None,
    result=Result.SUCCESS,
):
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if actor is not None:
        username = username or actor.get_username()
        committee = committee or getattr(actor, "committee", None)
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        username=username[:150],
        ip_address=client_ip(request),
        committee=committee,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:255],
        detail=detail or {},
        result=result,
    )
