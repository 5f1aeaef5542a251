"""handling views"""


def detail_context(request, proposal):
    """What the proposal page's handling section needs (templates/proposals/detail/_handling.html)."""
    return {}


urlpatterns: list = []
