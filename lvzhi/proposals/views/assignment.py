"""assignment views"""


def detail_context(request, proposal):
    """What the proposal page's assignment section needs (templates/proposals/detail/_assignment.html)."""
    return {}


urlpatterns: list = []
