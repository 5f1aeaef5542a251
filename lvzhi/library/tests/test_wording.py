"""Wording of the library form: the category select names its empty choice."""

from lvzhi.library.forms import DocumentForm


def test_the_category_select_names_its_empty_choice(db):
    choices = list(DocumentForm().fields["category"].choices)
    assert choices[0] == ("", "Choose a category")
    assert "---------" not in str(DocumentForm()["category"])
