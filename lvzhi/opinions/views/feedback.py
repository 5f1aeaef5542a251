"""Views of the opinions app: feedback."""

urlpatterns: list = []
