from typing import Protocol

from django.core.exceptions import PermissionDenied


class _PermissionHolder(Protocol):
    """A user, signed in or not, as far as `require_perm` asks it."""

    def has_perm(self, perm: str) -> bool: ...


class _CommitteeAccount(Protocol):
    """An account (accounts.User, which core does not import) as far as `committee_of` reads it."""

    @property
    def committee_id(self) -> int | None: ...


def require_perm(user: _PermissionHolder, perm: str) -> None:
    """Raise PermissionDenied (audited by the 403 handler) unless the user has `perm`."""
    if not user.has_perm(perm):
        raise PermissionDenied(perm)


def committee_of(actor: _CommitteeAccount) -> int:
    """The id of the committee what `actor` creates belongs to: theirs. An account of no committee (a
    superuser made on the command line) creates nothing in any: PermissionDenied, as for any act outside
    one's scope."""
    if actor.committee_id is None:
        raise PermissionDenied("an account of no committee")
    return actor.committee_id


class AuditedPermissionDenied(PermissionDenied):
    """Raised by a service that has already written a more precise permission_denied audit row (with the
    object); the 403 handler then does not write a second one."""
