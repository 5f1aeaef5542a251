"""Placeholder: filled by the rules part."""

urlpatterns: list = []
