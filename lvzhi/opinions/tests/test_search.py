"""Chinese full-text search over reports: the segmented column matches on every database, and on
PostgreSQL the query is the expression of the GIN index (opinion_report_search)."""

import pytest

from lvzhi.opinions.models import OpinionReport
from lvzhi.opinions.search import filter_search, search_text
from lvzhi.opinions.tests.factories import ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports():
    school = ReportFactory(
        title="关于缓解青石镇中心小学校门口交通拥堵的建议", body="青龙路放学时接送车辆拥堵。"
    )
    farm = ReportFactory(
        committee=school.committee, title="关于治理柳溪河养殖污染的建议", body="宏发养猪场粪污直排。"
    )
    other = ReportFactory(committee=school.committee, title="关于滨河路路面修复的建议", body="坑槽积水。")
    for report, serial in ((school, "〔2026〕3号"), (farm, "〔2026〕12号"), (other, "")):
        report.search_document = search_text(report.title, report.body, "张三", serial)
        report.save(update_fields=["search_document"])
    return school, farm, other


def found(query):
    return set(filter_search(OpinionReport.objects.all(), query).values_list("title", flat=True))


def test_every_word_of_the_query_must_match(reports):
    school, farm, other = reports
    assert found("中心小学") == {school.title}
    assert found("青石镇 拥堵") == {school.title}
    assert found("养猪场 柳溪河") == {farm.title}
    assert found("青石镇 养猪场") == set()
    assert found("张三") == {school.title, farm.title, other.title}


def test_the_serial_number_is_searchable(reports):
    school, farm, _other = reports
    assert found("〔2026〕12号") == {farm.title}
    assert found("2026") == {school.title, farm.title}


def test_an_empty_query_filters_nothing(reports):
    assert len(found("")) == 3
    assert len(found(" ，。 ")) == 3


def test_markup_and_operators_are_plain_words(reports):
    assert found("<script> & | ! 'x'") == set()
