"""Writing the audit log. Every service that does a security-relevant act calls `record`.

Each row says what happened as an event code and its parameters (`event`, `params`): every app declares
its events, with a message in English to be translated, in its own `audit_events.py` (EVENTS = {code:
message}); core finds them through the app registry, as the start page finds menus, and knows no app.
The log shows the message in the reader's language (`describe`); an event nobody declared is refused.

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
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.utils.module_loading import module_has_submodule

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


@dataclass(frozen=True)
class Event:
    """An event's entry in an app's EVENTS when its parameters are to be read through a model other than
    the row's object (or the row names none): `Event(_("%(field)s looked up"), model="members.Member")`.
    Otherwise the entry is the message alone."""

    message: Any
    model: str = ""


@dataclass(frozen=True)
class EventType:
    code: str
    message: Any  # a lazy translation with named parameters: %(title)s
    app_label: str
    app_name: Any
    model: str = ""


@cache
def event_types() -> dict[str, EventType]:
    """Every declared event by code, gathered from the apps' audit_events modules."""
    found: dict[str, EventType] = {}
    for config in apps.get_app_configs():
        if config.module is None or not module_has_submodule(config.module, "audit_events"):
            continue
        module = import_module(f"{config.name}.audit_events")
        for code, entry in module.EVENTS.items():
            if code in found:
                raise ImproperlyConfigured(f"Audit event {code!r} is declared twice.")
            spec = entry if isinstance(entry, Event) else Event(entry)
            found[code] = EventType(code, spec.message, config.label, config.verbose_name, spec.model)
    return found


class UnknownEvent(ValueError):
    pass


def _plain(value: Any) -> Any:
    """A parameter as it is stored (JSON) and hashed: numbers, text and lists of them."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


# Parameters read through the row's model (or its event's): statuses and other choices are shown by
# their labels, field names by the fields' names.
STATUS_PARAMS = ("status", "from", "to")
FIELD_PARAMS = ("field", "fields")


def _model_of(event: AuditEvent, kind: EventType) -> Any:
    label = kind.model or event.object_type
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def _field_name(model: Any, name: Any) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except (FieldDoesNotExist, TypeError):
        return str(name)


def _choice_label(model: Any, field_name: str, value: Any) -> Any:
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return value
    if not getattr(field, "choices", None) or not isinstance(value, str):
        return value
    return dict(field.flatchoices).get(value, value)


def _readable(event: AuditEvent, kind: EventType) -> dict[str, Any]:
    params = dict(event.params or {})
    model = _model_of(event, kind)
    if model is None:
        return params
    for key, value in params.items():
        if key in FIELD_PARAMS:
            names = value if isinstance(value, list) else [value]
            params[key] = "、".join(_field_name(model, name) for name in names)
        else:
            params[key] = _choice_label(model, "status" if key in STATUS_PARAMS else key, value)
    return params


def describe(event: AuditEvent) -> str:
    """The row's message in the active language: its event's message with its parameters, or the
    English summary of a row written before events (or of an event no app declares any more)."""
    kind = event_types().get(event.event) if event.event else None
    if kind is None:
        return event.summary or event.event
    try:
        return str(kind.message) % _readable(event, kind)
    except (KeyError, TypeError, ValueError):
        return f"{kind.message} {event.params}"


def event_choices() -> list[tuple[Any, list[tuple[str, str]]]]:
    """The declared events for a filter: grouped by app, each by its message without parameters."""
    groups: dict[str, tuple[Any, list[tuple[str, str]]]] = {}
    for kind in event_types().values():
        groups.setdefault(kind.app_label, (kind.app_name, []))[1].append((kind.code, title_of(kind)))
    return [(name, sorted(items, key=lambda item: item[0])) for name, items in groups.values()]


def title_of(kind: EventType) -> str:
    """An event's message with its parameters left out, as a name for it ("资料已上传：…")."""

    class Blank(dict[str, str]):
        def __missing__(self, key: str) -> str:
            return "…"

    try:
        return str(kind.message) % Blank()
    except (TypeError, ValueError):
        return str(kind.message)


def record(
    action: str,
    *,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    request: HttpRequest | None = None,
    username: str = "",
    committee: models.Model | int | None = None,
    obj: models.Model | None = None,
    event: str = "",
    params: Mapping[str, Any] | None = None,
    summary: str = "",
    detail: Mapping[str, Any] | None = None,
    result: str = Result.SUCCESS,
) -> AuditEvent:
    """Write an audit row. `event` is a declared event code (see the module's docstring) and `params`
    the values its message names; personal numbers go in masked, as everywhere. `summary` is for the
    few acts whose action says it all (sign-in, sign-out) and is otherwise left empty."""
    if event and event not in event_types():
        raise UnknownEvent(f"Audit event {event!r} is declared in no app's audit_events.py.")
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
        event=event,
        params={key: _plain(value) for key, value in (params or {}).items()},
        summary=summary[:255],
        detail=detail or {},
        result=result,
    )
