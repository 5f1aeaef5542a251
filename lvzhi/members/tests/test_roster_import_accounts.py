"""A roster import that ends members' service disables their members' accounts, in its own transaction
and in the importer's name, as an edit of the member file does (accounts.services.disable_departed_member_accounts)."""

import pytest

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberFactory, MemberTermFactory
from lvzhi.members import roster_import
from lvzhi.members.models import MemberTerm
from lvzhi.members.roster_import import apply as apply_module
from lvzhi.members.tests.test_roster_import import id_for, make_units, person, plan_rows

pytestmark = pytest.mark.django_db

Status = MemberTerm.Status


@pytest.fixture
def rows_with_status(monkeypatch):
    """Roster rows that carry a status in their term (a 状态 column), as TermPlacements takes it."""
    original = apply_module.term_values

    def term_values(data, ref):
        values = original(data, ref)
        if "status" in data:
            values["status"] = data["status"]
        return values

    monkeypatch.setattr(apply_module, "term_values", term_values)


def test_members_the_roster_marks_resigned_lose_their_accounts(
    committee, term, office, make_user, rows_with_status
):
    make_units(committee)
    seated = {}
    for seq, (name, username) in enumerate((("张三", "zhangsan"), ("李四", "lisi")), start=1):
        user = make_user(Role.MEMBER, username=username)
        member = MemberFactory(committee=committee, name=name, id_number=id_for(seq=2 * seq + 1), user=user)
        MemberTermFactory(member=member, term=term)
        seated[username] = user
    plan = plan_rows(
        committee,
        [
            person("张三", id_number=id_for(seq=3)),
            person("李四", id_number=id_for(seq=5), 手机="13900000002"),
        ],
    )
    by_name = {row.name: row for row in plan.rows}
    by_name["张三"].data["status"] = Status.RESIGNED

    roster_import.apply_import(committee=committee, plan=plan, actor=office)

    resigned, kept = (type(u).objects.get(pk=u.pk) for u in (seated["zhangsan"], seated["lisi"]))
    assert MemberTerm.objects.get(member__user=resigned).status == Status.RESIGNED
    assert not resigned.is_active
    assert kept.is_active
    row = AuditEvent.objects.get(detail__automatic=True)
    assert (row.actor, row.object_id, row.detail["reason"]) == (office, str(resigned.pk), Status.RESIGNED)
