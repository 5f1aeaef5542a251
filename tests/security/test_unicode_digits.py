"""Finding of the walk over the public site (issue 14), site-wide: `str.isdigit()` holds for characters that
`int()` refuses (superscripts "²", circled "⑤": Unicode digits that are not decimal), and several checks
guard an `int()` with it. A choice field or a query parameter of such a character was a 500 (ValueError)
wherever one of them stood; `str.isdecimal()` is what int() accepts.

One case per place in the code (with the line that raised), each through a route of the walk as a user
who may use it; the same checks as every hostile request of the walk (test_hostile_input)."""

import pytest

from .test_hostile_input import hostile_request

SUPERSCRIPT = "²"
CASES = [
    # lvzhi/core/forms.py:53 `_refusing_impossible_ids`: every model choice field of a StyledFormMixin form
    pytest.param("opinions:new", "POST", "category", SUPERSCRIPT, id="core-forms-model-choice"),
    pytest.param("activities:staff_list", "GET", "unit", SUPERSCRIPT, id="core-forms-filter"),
    # The same check before a form's page is shown again with the members picked (reached once the form
    # above no longer raises): lvzhi/opinions/views/reports.py:90 and :251, proposals/views/filing.py:116
    # and :438, scoring/views/claims.py:304.
    pytest.param("opinions:new", "POST", "co_authors", [SUPERSCRIPT], id="opinions-co-authors"),
    pytest.param("opinions:paper_new", "POST", "member", SUPERSCRIPT, id="opinions-paper-member"),
    pytest.param("proposals:new", "POST", "co_signers", [SUPERSCRIPT], id="proposals-co-signers"),
    pytest.param("proposals:paper_new", "POST", "lead_member", SUPERSCRIPT, id="proposals-paper-lead"),
    pytest.param("scoring:claim_for_member", "POST", "member", SUPERSCRIPT, id="scoring-claim-member"),
    # lvzhi/opinions/views/inspections.py:85 (the suggestions shown and listed in a report)
    pytest.param(
        "opinions:inspection_report_save", "POST", "shown", [SUPERSCRIPT], id="opinions-inspections"
    ),
    # lvzhi/opinions/views/reports.py:725 (the category changed in the settings)
    pytest.param("opinions:category_change", "POST", "category", SUPERSCRIPT, id="opinions-category"),
    # lvzhi/portal/views/moderation.py:246 `_chosen_template` (?template= on a message's page)
    pytest.param("portal:message_detail", "GET", "template", SUPERSCRIPT, id="portal-template"),
    # lvzhi/proposals/views/settings.py:111 (the category or reason changed in the settings)
    pytest.param("proposals:settings_category", "POST", "item", SUPERSCRIPT, id="proposals-settings"),
    # lvzhi/scoring/views/rules.py:55 `_pk` (?from= the version a new one starts from)
    pytest.param("scoring:rule_new", "GET", "from", SUPERSCRIPT, id="scoring-rules-pk"),
    # lvzhi/scoring/views/rules.py:73 `_year` (a four-character year)
    pytest.param("scoring:rules", "GET", "year", "²⁰²⁶", id="scoring-rules-year"),
    # lvzhi/scoring/views/scores.py:50 (?year= of a score)
    pytest.param("scoring:mine", "GET", "year", SUPERSCRIPT, id="scoring-scores-year"),
]


@pytest.mark.parametrize(("name", "method", "field", "value"), CASES)
def test_a_digit_int_refuses(walk, name, method, field, value):
    hostile_request(walk, name, method, {field: value})
