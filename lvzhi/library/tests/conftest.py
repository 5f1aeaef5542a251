import factory
import pytest

from lvzhi.accounts.roles import Role
from lvzhi.factories import MemberFactory, MemberTermFactory, TermFactory, UserFactory
from lvzhi.library.models import Document

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    title = factory.Sequence(lambda n: f"文件{n}")
    category = Document.Category.RULES
    audience = Document.Audience.EVERYONE
    summary = "摘要"
    body = "第一段。\n\n第二段。"


@pytest.fixture(autouse=True)
def _english_and_media(english, settings, tmp_path):
    # Assertions read the English msgids; uploads go to a throwaway folder.
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def make_document(committee):
    def make(**kwargs):
        kwargs.setdefault("committee", committee)
        return DocumentFactory(**kwargs)

    return make


@pytest.fixture
def make_member_user(committee, term):
    """A user with a member file in the current term (standing or not, serving or not)."""

    def make(*, standing=False, status="serving", role=Role.MEMBER, committee=committee, term=term):
        user = UserFactory(committee=committee, role=role)
        member = MemberFactory(committee=committee, user=user)
        MemberTermFactory(member=member, term=term, is_standing=standing, status=status)
        return user

    return make


@pytest.fixture
def other_term(other_committee):
    return TermFactory(committee=other_committee)
