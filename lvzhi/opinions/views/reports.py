"""Views of the opinions app: reports."""

urlpatterns: list = []
