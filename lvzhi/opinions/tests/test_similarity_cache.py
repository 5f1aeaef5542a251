"""The editors' similar-report list keeps each committee's index between requests and rebuilds it
only when the reports changed."""

import pytest

from lvzhi.opinions import selectors, similarity
from lvzhi.opinions.models import OpinionReport

from .pipeline_fixtures import *  # noqa: F403

Status = OpinionReport.Status


@pytest.fixture
def builds(monkeypatch):
    """Counts the index builds."""
    counted = []
    real = similarity.SimilarityIndex.build

    def counting(documents):
        counted.append(len(documents))
        return real(documents)

    monkeypatch.setattr(similarity.SimilarityIndex, "build", staticmethod(counting))
    monkeypatch.setattr(selectors, "_INDEXES", {})
    return counted


def titles(found):
    return [item.report.current_title for item in found]


def test_the_index_is_built_once_and_rebuilt_when_a_report_changes(builds, make_report):
    earlier = make_report(Status.REPORTED, title="关于城东小学门口交通安全的建议", body="城东小学门口拥堵。")
    report = make_report(Status.SUBMITTED, title="关于城东小学门口接送秩序的建议", body="城东小学门口车多。")
    assert titles(selectors.similar_reports(report)) == [earlier.title]
    assert titles(selectors.similar_reports(report)) == [earlier.title]
    assert builds == [2]

    # A new report joins the corpus.
    later = make_report(Status.SUBMITTED, title="关于城东小学门口增设护学岗的建议", body="城东小学门口。")
    assert later.title in titles(selectors.similar_reports(report))
    assert builds == [2, 3]

    # An editor's text change (every save bumps the version) is seen too.
    OpinionReport.objects.filter(pk=earlier.pk).update(
        edited_title="关于白沙河采砂的建议", version=earlier.version + 1
    )
    selectors.similar_reports(report)
    assert builds == [2, 3, 3]


def test_drafts_never_enter_the_index(builds, make_report):
    make_report(Status.DRAFT, submitted_at=None, title="关于城东小学门口交通安全的建议")
    report = make_report(Status.SUBMITTED, title="关于城东小学门口接送秩序的建议")
    assert selectors.similar_reports(report) == []
