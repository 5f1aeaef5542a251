"""Writing the audit log. Every service that does a security-relevant act calls `record`.

Each row carries where the act came from: the client address and user agent of the request being
served (bound for the whole request by AuditContextMiddleware, so a service deep down needs no
`request` argument), or, in the task worker, of the person who started the job (`acting_from`).
"""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models

from .models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest, HttpResponseBase

Action = AuditEvent.Action
Result = AuditEvent.Result

USER_AGENT_MAX = 255


@dataclass(frozen=True)
class Origin:
    ip: str | None = None
    user_agent: str = ""


_current_origin: contextvars.ContextVar[Origin | None] = contextvars.ContextVar(
    "lvzhi_audit_origin", default=None
)


@cache
def _trusted_networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted_networks(tuple(settings.LVZHI_TRUSTED_PROXIES)))


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. X-Forwarded-For is believed only when the request comes from a proxy
    listed in LVZHI_TRUSTED_PROXIES, and then only as far as it was written by trusted proxies: walking
    it from the right, the first address that is not a trusted proxy is the client (anything further
    left was written by the client itself and may be forged)."""
    if request is None:
        return None
    remote = _valid_ip(request.META.get("REMOTE_ADDR") or "")
    if remote is None or not _is_trusted(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    client = remote
    for hop in reversed([part for part in forwarded if part]):
        address = _valid_ip(hop)
        if address is None:
            break  # garbage in the header: stop at the last address we could trust
        client = address
        if not _is_trusted(address):
            break
    return client


def origin_of(request: HttpRequest | None) -> Origin:
    if request is None:
        return _current_origin.get() or Origin()
    return Origin(
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
    )


@contextmanager
def acting_from(*, ip: str | None = None, user_agent: str | None = "") -> Iterator[None]:
    """Audit rows written inside the block carry this origin: for work done on someone's behalf outside
    their request (the task worker running an import they started)."""
    token = _current_origin.set(Origin(ip=ip, user_agent=(user_agent or "")[:USER_AGENT_MAX]))
    try:
        yield
    finally:
        _current_origin.reset(token)


class AuditContextMiddleware:
    """Binds the request's origin for every audit row written while it is served."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        origin = origin_of(request)
        with acting_from(ip=origin.ip, user_agent=origin.user_agent):
            return self.get_response(request)


def record(
    action: str,
    *,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    request: HttpRequest | None = None,
    username: str = "",
    committee: models.Model | int | None = None,
    obj: models.Model | None = None,
    summary: str = "",
    detail: Mapping[str, Any] | None = None,
    result: str = Result.SUCCESS,
) -> AuditEvent:
    # `committee`: a committee or its id (core keeps the id only; it knows no app above it).
    committee_id = committee.pk if isinstance(committee, models.Model) else committee
    # The user model (accounts.User), which core knows only as AbstractBaseUser; nobody when anonymous.
    user: Any = actor if getattr(actor, "is_authenticated", False) else None
    if user is not None:
        username = username or user.get_username()
        if committee_id is None:
            committee_id = getattr(user, "committee_id", None)
    origin = origin_of(request)
    return AuditEvent.objects.create(
        action=action,
        actor=user,
        username=username[:150],
        ip_address=origin.ip,
        user_agent=origin.user_agent,
        committee_id=committee_id,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:255],
        detail=detail or {},
        result=result,
    )
