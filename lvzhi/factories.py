"""factory_boy factories shared by the test suites and the benchmarks."""

import datetime
import itertools

import factory
import pyotp
from django.contrib.auth.models import Group

from lvzhi.accounts import second_factor
from lvzhi.accounts.models import TOTPDevice, User
from lvzhi.accounts.roles import Role
from lvzhi.core import idcard
from lvzhi.members.models import Member, MemberTerm
from lvzhi.organization.models import (
    Committee,
    Department,
    Liaison,
    LiaisonContact,
    Membership,
    OrgUnit,
    Term,
)

_id_sequence = itertools.count(1)


def valid_id_number(birth=datetime.date(1975, 3, 1), male=True):
    n = next(_id_sequence)
    seq = 2 * (n % 500) + (1 if male else 0)
    area = f"99{(n // 500) % 10000:04d}"
    return idcard.make(area, birth, seq)


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee

    name = factory.Sequence(lambda n: f"政协测试{n}县委员会")
    code = factory.Sequence(lambda n: f"test{n}")
    level = Committee.Level.COUNTY


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    committee = factory.SubFactory(CommitteeFactory)
    number = 9
    name = "第九届"
    start_date = datetime.date(2025, 1, 8)
    is_current = True


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    committee = factory.SubFactory(CommitteeFactory)
    kind = OrgUnit.Kind.SECTOR
    name = factory.Sequence(lambda n: f"单位{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    committee = factory.SubFactory(CommitteeFactory)
    name = factory.Sequence(lambda n: f"县测试局{n}")


class LiaisonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Liaison

    committee = factory.SubFactory(CommitteeFactory)
    unit = factory.SubFactory(
        OrgUnitFactory, committee=factory.SelfAttribute("..committee"), kind=OrgUnit.Kind.SPECIAL_COMMITTEE
    )
    department = factory.SubFactory(DepartmentFactory, committee=factory.SelfAttribute("..committee"))


class LiaisonContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiaisonContact

    liaison = factory.SubFactory(LiaisonFactory)
    date = datetime.date(2026, 5, 6)
    participants = "主任、部门负责人"
    topic = "座谈"
    recorded_by = factory.SubFactory(
        "lvzhi.factories.UserFactory", committee=factory.SelfAttribute("..liaison.committee")
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    committee = factory.SubFactory(CommitteeFactory)
    password = factory.PostGenerationMethodCall("set_password", "Test-pass-2026")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=Role(extracted).value))

    @factory.post_generation
    def enrol_second_factor(self, create, extracted, **kwargs):
        """Administrators and holders of rights to full personal data must enrol an authenticator;
        tests get one unless they ask for none."""
        if extracted is not False and second_factor.required_for(self):
            TOTPDevice.objects.create(user=self, secret=pyotp.random_base32())

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if extracted:
            self.units.set(extracted)
        self.save()


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    committee = factory.SubFactory(CommitteeFactory)
    name = factory.Iterator(["张三", "李四", "王五", "赵六", "刘一", "陈二", "杨七", "黄八"])
    gender = Member.Gender.MALE
    birth_date = datetime.date(1975, 3, 1)
    id_number = factory.LazyAttribute(lambda o: valid_id_number(o.birth_date, o.gender == Member.Gender.MALE))
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    party = Member.Party.NON_PARTY
    employer_post = "县第一中学教师"


class MemberTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberTerm

    member = factory.SubFactory(MemberFactory)
    term = factory.SubFactory(TermFactory, committee=factory.SelfAttribute("..member.committee"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    unit = factory.SubFactory(OrgUnitFactory)
    member = factory.SubFactory(MemberFactory, committee=factory.SelfAttribute("..unit.committee"))
