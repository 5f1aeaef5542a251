"""Placeholder: filled by the scores part."""

urlpatterns: list = []
