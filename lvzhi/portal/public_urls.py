"""The public site: open without signing in, one site per committee (/public/<committee code>/)."""

from .views import public, public_messages

app_name = "public"
urlpatterns = [*public.urlpatterns, *public_messages.urlpatterns]
