"""Full-text search over reports (title, body, authors, serial number) on SQLite and PostgreSQL, scoped
to what the searcher may see."""

import pytest
from django.db import connection
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.opinions.models import Category, OpinionReport
from lvzhi.opinions.search import filter_search
from lvzhi.opinions.services import reports as report_services

from .pipeline_fixtures import *  # noqa: F403

URL = reverse("opinions:search")


@pytest.fixture
def found_reports(author, other_member, editor):
    """Two registered reports and one draft, written and registered through the services so that
    their search text is the one the pipeline stores."""
    school = report_services.create_draft(
        actor=author.user,
        title="关于青石镇中心小学校门口交通安全的建议",
        body="情况：上下学高峰车辆乱停，家长接送拥堵。建议：设置护学岗和临时停车区。",
    )
    river = report_services.create_draft(
        actor=other_member.user,
        title="关于整治白沙河养殖污染的建议",
        body="情况：沿河养猪场废水直排，下游水体发黑。建议：限期整改，建设粪污处理设施。",
    )
    draft = report_services.create_draft(
        actor=other_member.user, title="关于公交线路延伸的建议", body="建议十二路公交延伸到工业园区。"
    )
    category = Category.objects.filter(committee=editor.committee).first()
    for report, writer in ((school, author.user), (river, other_member.user)):
        report_services.submit(report, actor=writer)
        report_services.register(report, actor=editor, category=category)
    return {"school": school, "river": river, "draft": draft}


def titles(response):
    return [row.current_title for row in response.context["page"].object_list]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("校门口", ["关于青石镇中心小学校门口交通安全的建议"]),
        ("养猪场 废水", ["关于整治白沙河养殖污染的建议"]),
        ("张建国", ["关于青石镇中心小学校门口交通安全的建议"]),
        ("护学岗 废水", []),
    ],
)
def test_staff_find_reports_by_words_of_title_body_and_author(client, editor, found_reports, query, expected):
    client.force_login(editor)
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assert titles(response) == expected


def test_serial_number_is_searchable(client, editor, found_reports):
    river = OpinionReport.objects.get(pk=found_reports["river"].pk)
    client.force_login(editor)
    response = client.get(URL, {"q": river.serial_label})
    assert titles(response) == [river.current_title]


def test_staff_do_not_find_others_drafts_and_authors_only_their_own(
    client, editor, author, other_member, found_reports
):
    client.force_login(editor)
    assert titles(client.get(URL, {"q": "公交"})) == []
    client.force_login(author.user)
    assert titles(client.get(URL, {"q": "建议"})) == ["关于青石镇中心小学校门口交通安全的建议"]
    client.force_login(other_member.user)
    assert set(titles(client.get(URL, {"q": "公交"}))) == {"关于公交线路延伸的建议"}


def test_foreign_editor_finds_nothing(client, foreign_editor, found_reports):
    client.force_login(foreign_editor)
    assert titles(client.get(URL, {"q": "校门口"})) == []


def test_roles_without_reports_are_refused(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    assert client.get(URL, {"q": "校门口"}).status_code == 403


def test_status_filter_and_escaped_query(client, editor, found_reports):
    client.force_login(editor)
    response = client.get(URL, {"q": "<script>alert(1)</script>", "status": "registered"})
    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.content
    assert titles(client.get(URL, {"q": "建议", "status": "verifying"})) == []


def test_query_count_does_not_grow_with_results(client, editor, author, django_assert_max_num_queries):
    for n in range(12):
        report = report_services.create_draft(
            actor=author.user, title=f"关于第{n}条道路修缮的建议", body="道路破损"
        )
        report_services.submit(report, actor=author.user)
    client.force_login(editor)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"q": "道路"})
    assert len(titles(response)) == 12


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_postgresql_uses_the_gin_index(found_reports):
    with connection.cursor() as cursor:
        # A table this small is read whole; without that choice (or another index's ordered scan) the
        # planner must show whether the search can use the GIN index at all.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        plan = filter_search(OpinionReport.objects.order_by(), "校门口").explain()
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")
    assert "opinion_report_search" in plan
