"""What every form of lvzhi does through StyledFormMixin: bounded dates, impossible ids refused as unknown
choices (not a database error), Bootstrap classes."""

import datetime

import pytest
from django import forms
from django.utils import translation

from lvzhi.core.forms import EARLIEST_DATE, LATEST_DATE, StyledFormMixin
from lvzhi.organization.models import OrgUnit


class EventForm(StyledFormMixin, forms.Form):
    day = forms.DateField(label="Day")
    starts = forms.DateTimeField(label="Starts")
    born = forms.DateField(label="Born", required=False)

    date_bounds = {"born": (datetime.date(1900, 1, 1), None)}


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_dates_outside_the_bounds_are_refused(day):
    form = EventForm({"day": day, "starts": "2026-03-01T09:00"})

    assert not form.is_valid()
    assert list(form.errors) == ["day"]


@pytest.mark.parametrize("starts", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_date_times_outside_the_bounds_are_refused_without_overflowing(starts):
    form = EventForm({"day": "2026-03-01", "starts": starts})

    assert not form.is_valid()
    with translation.override("zh-hans"):
        assert "日期" in form.errors["starts"][0]


def test_the_bounds_themselves_are_accepted():
    form = EventForm({"day": EARLIEST_DATE.isoformat(), "starts": f"{LATEST_DATE.isoformat()}T23:59"})

    assert form.is_valid(), form.errors


def test_a_form_can_widen_the_bounds_of_a_field():
    form = EventForm({"day": "2026-03-01", "starts": "2026-03-01T09:00", "born": "1949-10-01"})

    assert form.is_valid(), form.errors


def test_the_date_picker_gets_the_bounds():
    class PickerForm(StyledFormMixin, forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    attrs = PickerForm().fields["day"].widget.attrs
    assert (attrs["min"], attrs["max"]) == ("2000-01-01", "2100-12-31")


class UnitsForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(queryset=OrgUnit.objects.all(), required=False)
    units = forms.ModelMultipleChoiceField(queryset=OrgUnit.objects.all(), required=False)


@pytest.mark.parametrize("huge", [str(10**30), str(-(10**30)), str(2**63)])
def test_an_id_no_table_can_hold_is_an_unknown_choice(db, huge):
    form = UnitsForm({"unit": huge, "units": [huge]})

    assert not form.is_valid()
    assert set(form.errors) == {"unit", "units"}


def test_a_real_id_still_works(my_unit):
    form = UnitsForm({"unit": str(my_unit.pk), "units": [str(my_unit.pk)]})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["unit"] == my_unit
