"""Shared fixtures of the portal tests: a member with an account, an editor, and public messages and
members' suggestions made as rows (each test module drives the services it tests itself)."""

import uuid

import pytest
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.factories import MemberFactory
from lvzhi.portal import query_codes
from lvzhi.portal.models import Category, MemberSuggestion, PublicMessage

PHONE = "13912345678"


@pytest.fixture
def member(committee, make_user):
    """A member of the home committee with an account (member.user)."""
    user = make_user(Role.MEMBER, username="member")
    return MemberFactory(committee=committee, name="王建国", user=user)


@pytest.fixture
def editor(make_user):
    return make_user(Role.EDITOR, username="editor")


@pytest.fixture
def make_message(committee):
    """make_message(status=..., **fields) → (message, its query code): a row as the submit service would
    leave it (phone 13912345678, name 张女士)."""

    def make(*, status=PublicMessage.Status.RECEIVED, committee=committee, **fields):
        code = query_codes.new_code()
        values = {
            "committee": committee,
            "category": Category.URBAN_RURAL,
            "title": "小区门口路灯不亮",
            "content": "城关镇幸福小区门口的路灯坏了两个月，晚上出行不便。",
            "name": "张女士",
            "phone": PHONE,
            "code_digest": query_codes.digest(code),
            "status": status,
        }
        if status != PublicMessage.Status.RECEIVED:
            values.update(reply="已转交城关镇人民政府处理。", replied_at=timezone.now())
        if status == PublicMessage.Status.PUBLISHED:
            values["published_at"] = timezone.now()
        if status == PublicMessage.Status.HIDDEN:
            values["hidden_reason"] = "广告"
        values.update(fields)
        return PublicMessage.objects.create(**values), code

    return make


@pytest.fixture
def make_suggestion(member):
    """make_suggestion(status=..., **fields) → a MemberSuggestion of `member`."""

    def make(*, status=MemberSuggestion.Status.DRAFT, **fields):
        values = {
            "committee": member.committee,
            "member": member,
            "category": Category.ECONOMY,
            "title": "关于扶持县域特色农产品电商的建议",
            "content": "建议设立县级电商服务中心，帮助农户对接平台。",
            "status": status,
            "created_by": member.user,
        }
        if status != MemberSuggestion.Status.DRAFT:
            values["submitted_at"] = timezone.now()
        if status == MemberSuggestion.Status.PUBLISHED:
            values.update(
                published_at=timezone.now(), answer="县商务局已着手筹建。", answered_by_unit="县商务局"
            )
        values.update(fields)
        return MemberSuggestion.objects.create(**values)

    return make


@pytest.fixture
def memory_cache(settings):
    """The default cache, empty, in this process's memory and of this test only: its expiry follows a
    patched `time.time` (Redis, in the PostgreSQL stage of CI, keeps its own clock), and emptying it
    touches no other test's captchas."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex},
    }
