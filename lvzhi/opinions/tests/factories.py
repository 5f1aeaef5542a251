"""Factories of the opinions app, built on lvzhi/factories.py. Rows made here skip the services (no
history, audit or ledger): tests of a step build the report in the status before it, then call the
service. Other helpers append their factories at the end."""

import datetime

import factory
from django.utils import timezone

from lvzhi.factories import CommitteeFactory, MemberFactory, UserFactory
from lvzhi.opinions.models import Category, OpinionAttachment, OpinionAuthor, OpinionReport

Status = OpinionReport.Status


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    committee = factory.SubFactory(CommitteeFactory)
    name = factory.Sequence(lambda n: f"类别{n}")
    order = factory.Sequence(lambda n: 100 + n)


def _first_category(report):
    return Category.objects.filter(committee=report.committee, is_active=True).order_by("order", "pk").first()


class ReportFactory(factory.django.DjangoModelFactory):
    """A report of `committee` in `status` (default: submitted). Statuses past submission get what the
    pipeline would have given them: submitted_at, a serial from `serial` (pass it; no counter is taken),
    signed_by for signed ones. Give authors with `lead=` (a Member or a User) and `co=[members]`."""

    class Meta:
        model = OpinionReport
        skip_postgeneration_save = True

    committee = factory.SubFactory(CommitteeFactory)
    year = 2026
    title = factory.Sequence(lambda n: f"关于改善第{n}号路口交通秩序的建议")
    body = "情况：路口早晚高峰拥堵。分析：信号灯配时不合理。建议：优化信号灯配时，增设非机动车道。"
    category = factory.LazyAttribute(_first_category)
    status = Status.SUBMITTED
    status_changed_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyAttribute(
        lambda o: (
            None if o.status == Status.DRAFT else datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
        )
    )
    created_by = None

    @factory.post_generation
    def lead(self, create, extracted, **kwargs):
        """lead=Member (their user too) or lead=User (an officer who is not a member)."""
        if not extracted:
            return
        from lvzhi.members.models import Member

        if isinstance(extracted, Member):
            OpinionAuthor.objects.create(
                report=self,
                member=extracted,
                user_id=extracted.user_id,
                name=extracted.name,
                role=OpinionAuthor.Role.LEAD,
                order=0,
            )
            if self.created_by_id is None and extracted.user_id:
                self.created_by_id = extracted.user_id
                self.save(update_fields=["created_by"])
        else:
            OpinionAuthor.objects.create(
                report=self, user=extracted, name=str(extracted), role=OpinionAuthor.Role.LEAD, order=0
            )
            if self.created_by_id is None:
                self.created_by = extracted
                self.save(update_fields=["created_by"])

    @factory.post_generation
    def co(self, create, extracted, **kwargs):
        for n, member in enumerate(extracted or (), 1):
            OpinionAuthor.objects.create(
                report=self,
                member=member,
                user_id=member.user_id,
                name=member.name,
                role=OpinionAuthor.Role.CO,
                order=n,
            )


class OpinionAuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpinionAuthor

    report = factory.SubFactory(ReportFactory)
    member = factory.SubFactory(MemberFactory, committee=factory.SelfAttribute("..report.committee"))
    user = None
    name = factory.LazyAttribute(lambda o: o.member.name if o.member else "作者")
    role = OpinionAuthor.Role.CO
    order = 1


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A row without a stored file; tests of downloads store one through the service."""

    class Meta:
        model = OpinionAttachment

    report = factory.SubFactory(ReportFactory)
    original_name = "照片.jpg"
    content_type = "image/jpeg"
    size = 10


def member_with_login(committee, *, name="张委员", role=None, **kwargs):
    """A member of `committee` with a member account (role 委员 unless given)."""
    from lvzhi.accounts.roles import Role

    user = UserFactory(committee=committee, role=role or Role.MEMBER)
    return MemberFactory(committee=committee, name=name, user=user, **kwargs)
