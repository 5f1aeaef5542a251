from django.urls import include, path

handler403 = "lvzhi.core.views.permission_denied"

urlpatterns = [
    path("", include("lvzhi.home.urls")),
    path("", include("lvzhi.core.urls")),
    path("accounts/", include("lvzhi.accounts.urls")),
    path("org/", include("lvzhi.organization.urls")),
    path("members/", include("lvzhi.members.urls")),
    path("ledger/", include("lvzhi.ledger.urls")),
    path("activities/", include("lvzhi.activities.urls")),
    path("notifications/", include("lvzhi.notifications.urls")),
    path("studies/", include("lvzhi.studies.urls")),
    path("opinions/", include("lvzhi.opinions.urls")),
    path("proposals/", include("lvzhi.proposals.urls")),
    path("library/", include("lvzhi.library.urls")),
    path("scoring/", include("lvzhi.scoring.urls")),
    path("portal/", include("lvzhi.portal.urls")),
    # The public website: no sign-in.
    path("public/", include("lvzhi.portal.public_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
