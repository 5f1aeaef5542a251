import datetime

import pytest
from django.test import Client
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.activities.tests import conftest as activity_fixtures
from lvzhi.studies import services
from lvzhi.studies.models import StudySubmission, TrainingPlan

# The activity tests' fixtures (members with terms, activities, invitations, role users).
make_member = activity_fixtures.make_member
make_activity = activity_fixtures.make_activity
invite_member = activity_fixtures.invite_member
unit_staff = activity_fixtures.unit_staff
leader = activity_fixtures.leader


@pytest.fixture(autouse=True)
def _english_and_media(english, settings, tmp_path):
    # Assertions read the English msgids; uploads go to a throwaway folder.
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def member(make_member, my_unit):
    """A member of my_unit (the unit staff's special committee), with an account."""
    return make_member(login=True, specials=[my_unit])


@pytest.fixture
def outsider(make_member, other_unit):
    """A member of the same committee outside my_unit."""
    return make_member(login=True, specials=[other_unit])


@pytest.fixture
def foreign_office(other_committee, make_user):
    return make_user(Role.OFFICE, committee=other_committee, username="foreign_office")


@pytest.fixture
def make_submission():
    def make(member, *, kind=StudySubmission.Kind.NOTES, title="学习笔记", body="正文", now=None, **kwargs):
        return services.submit(
            member=member, actor=member.user, kind=kind, title=title, body=body, now=now, **kwargs
        )

    return make


@pytest.fixture
def plan(office):
    year = timezone.localdate().year
    return services.create_plan(
        actor=office, year=year, title=f"{year}年度委员学习培训方案", summary="全年安排"
    )


@pytest.fixture
def published_plan(plan, office):
    services.save_session(plan=plan, actor=office, planned_on=datetime.date(plan.year, 3, 15), topic="专题一")
    return services.set_plan_status(plan=plan, to_status=TrainingPlan.Status.PUBLISHED, actor=office)


@pytest.fixture
def client_of():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
