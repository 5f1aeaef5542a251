"""The opinions app's pages, one module per area; each module lists its own urlpatterns, which
lvzhi/opinions/urls.py gathers under the one "opinions" namespace."""
