"""Dates typed into the report forms at the ends of the calendar are refused with a message, not a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [("2026-01-01", "9999-12-31"), ("0001-01-01", "2026-06-30")],
)
def test_stats_with_dates_out_of_range(client, office, date_from, date_to):
    client.force_login(office)
    query = {"date_from": date_from, "date_to": date_to, "view": "activity"}
    response = client.get(reverse("activities:stats"), query)
    assert response.status_code == 200
    assert response.context["table"] is None
    assert response.context["form"].errors
    assert client.get(reverse("activities:stats_export"), query).status_code == 400


def test_standing_report_period_out_of_range(client, office):
    client.force_login(office)
    query = {"mode": "period", "date_from": "2026-01-01", "date_to": "9999-12-31"}
    response = client.get(reverse("activities:standing_report"), query)
    assert response.status_code == 200
    assert response.context["form"].errors == {"date_to": ["Give a date up to 2100-12-31."]}
    assert response.context["report"] is None
