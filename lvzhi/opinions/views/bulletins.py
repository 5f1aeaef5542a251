"""Views of the opinions app: bulletins."""

urlpatterns: list = []
