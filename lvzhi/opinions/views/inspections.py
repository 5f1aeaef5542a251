"""Views of the opinions app: inspections."""

urlpatterns: list = []
