"""The office's and members' pages of the public site (signed in). The public pages are public_urls."""

from .views import announcements, moderation, suggestions

app_name = "portal"
urlpatterns = [*moderation.urlpatterns, *suggestions.urlpatterns, *announcements.urlpatterns]
