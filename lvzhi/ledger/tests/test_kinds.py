import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from lvzhi.ledger import kinds


@pytest.mark.parametrize(
    "kind",
    [
        "attendance.plenary.present",
        "attendance.standing.left_early",
        "attendance.committee.leave",
        "activity.study_tour",
        "activity.other",
        "speech.written",
        "study.essay",
    ],
)
def test_documented_kinds_are_known(kind):
    assert kinds.is_known(kind)
    kinds.validate_kind(kind)


@pytest.mark.parametrize("kind", ["attendance.plenary", "activity", "proposal.lead", "speech.sung", ""])
def test_other_codes_are_not(kind):
    assert not kinds.is_known(kind)
    with pytest.raises(ValidationError):
        kinds.validate_kind(kind)


def test_labels():
    with translation.override("en"):
        assert str(kinds.label("attendance.plenary.left_early")) == "Plenary session: left early"
        assert str(kinds.label("activity.inspection")) == "Inspection"
        assert kinds.label("gone.away") == "gone.away"


def test_register_accepts_a_reserved_prefix_and_refuses_strangers():
    kinds.register("commendation.test_only", "Test commendation")
    try:
        assert kinds.is_known("commendation.test_only")
        kinds.register("commendation.test_only", "Test commendation")  # the same again is fine
        with pytest.raises(ValueError):
            kinds.register("commendation.test_only", "Another label")
    finally:
        kinds._REGISTRY.pop("commendation.test_only")
    with pytest.raises(ValueError):
        kinds.register("dance.waltz", "Waltz")
    with pytest.raises(ValueError):
        kinds.register("speech", "No second segment")
