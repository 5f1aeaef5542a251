"""Placeholder: filled by the reports part."""

urlpatterns: list = []
