import datetime

from lvzhi.accounts.roles import Role
from lvzhi.factories import MemberFactory, MemberTermFactory, UserFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.ledger.services import Fact, sync_records

DAY = datetime.date(2026, 3, 5)


def _record(member, committee):
    # The member stands in as the source: one source per record, so one sync does not undo another.
    sync_records(source=member, committee=committee, facts=[Fact(member, "activity.research", DAY)])
    return DutyRecord.objects.get(member=member)


def test_scope_by_role(committee, other_committee, term, my_unit, other_unit, make_user):
    mine = MemberTermFactory(member=MemberFactory(committee=committee), term=term)
    mine.special_committees.set([my_unit])
    theirs = MemberTermFactory(member=MemberFactory(committee=committee), term=term)
    theirs.special_committees.set([other_unit])
    own_user = UserFactory(committee=committee, role=Role.MEMBER)
    theirs.member.user = own_user
    theirs.member.save()
    stranger = MemberFactory(committee=other_committee)

    in_unit = _record(mine.member, committee)
    out_unit = _record(theirs.member, committee)
    other = _record(stranger, other_committee)

    def visible(user):
        return set(DutyRecord.objects.visible_to(user))

    assert visible(make_user(Role.OFFICE)) == {in_unit, out_unit}
    assert visible(make_user(Role.LEADER)) == {in_unit, out_unit}
    assert visible(make_user(Role.UNIT_STAFF, units=[my_unit])) == {in_unit}
    assert visible(own_user) == {out_unit}
    assert visible(make_user(Role.MEMBER)) == set()
    assert visible(UserFactory(committee=other_committee, role=Role.OFFICE)) == {other}
