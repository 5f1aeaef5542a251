"""Placeholder: filled by the units part."""

urlpatterns: list = []
