"""Views of the opinions app: stats."""

urlpatterns: list = []
