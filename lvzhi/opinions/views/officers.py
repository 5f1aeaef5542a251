"""Views of the opinions app: officers."""

urlpatterns: list = []
