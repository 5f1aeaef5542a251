"""Two editors save the same member file from the same version: exactly one wins, the other gets
workflow.StaleEdit and saves nothing — not its fields, not its place in the term, no history, no
audit row."""

import threading

import pytest
from django.db import connection, connections

from lvzhi.accounts.roles import Role
from lvzhi.core import workflow
from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberFactory, MemberTermFactory
from lvzhi.members import services
from lvzhi.members.models import Member, MemberChange, MemberTerm


def opened(member):
    """The file as an editor's page loaded it: a fresh copy and its snapshot."""
    copy = Member.objects.get(pk=member.pk)
    return copy, services.snapshot(copy)


def updates(member):
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.UPDATE, object_type="members.Member", object_id=str(member.pk)
    )


@pytest.mark.django_db
def test_the_second_save_from_the_same_version_saves_nothing(committee, term, make_user):
    member = MemberFactory(committee=committee, employer_post="县第一中学教师")
    MemberTermFactory(member=member, term=term)
    first, second = make_user(Role.OFFICE, username="first"), make_user(Role.OFFICE, username="second")
    first_copy, first_before = opened(member)
    second_copy, second_before = opened(member)

    first_copy.employer_post = "第一次保存"
    services.update_member(member=first_copy, before=first_before, expected_version=1, actor=first)
    second_copy.employer_post = "第二次保存"
    with pytest.raises(workflow.StaleEdit) as caught:
        services.update_member(
            member=second_copy,
            before=second_before,
            expected_version=1,
            actor=second,
            term=term,
            term_values={"is_standing": True},
        )

    assert caught.value.code == "stale"
    member.refresh_from_db()
    assert (member.employer_post, member.version) == ("第一次保存", 2)
    assert not MemberTerm.objects.get(member=member).is_standing
    assert list(MemberChange.objects.filter(member=member).values_list("actor__username", flat=True)) == [
        "first"
    ]
    assert updates(member).count() == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database fails fast on table locks; SQLite itself runs one writer at a time",
)
# serialized_rollback like the browser journeys: a plain flush would recreate the content types under
# new ids, and a later journey on this worker could not restore its serialized data.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_of_two_saves_at_the_same_moment_exactly_one_wins(committee, make_user):
    """Both editors have loaded version 1 before either saves; the row lock makes the loser wait for the
    winner's commit and then see the version it moved to."""
    member = MemberFactory(committee=committee, employer_post="县第一中学教师")
    editors = [make_user(Role.OFFICE, username=name) for name in ("first", "second")]
    both_loaded = threading.Barrier(len(editors), timeout=30)
    outcomes, errors = {}, []

    def save(editor):
        try:
            copy, before = opened(member)
            copy.employer_post = f"{editor.username}的修改"
            both_loaded.wait()
            services.update_member(member=copy, before=before, expected_version=1, actor=editor)
            outcomes[editor.username] = "saved"
        except workflow.StaleEdit:
            outcomes[editor.username] = "stale"
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(editor,)) for editor in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(outcomes.values()) == ["saved", "stale"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    member.refresh_from_db()
    assert (member.employer_post, member.version) == (f"{winner}的修改", 2)
    assert list(MemberChange.objects.filter(member=member).values_list("actor__username", flat=True)) == [
        winner
    ]
    assert updates(member).count() == 1
