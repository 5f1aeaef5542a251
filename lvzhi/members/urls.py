from django.urls import path

from . import export_views, import_views, views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("export/", export_views.roster_export, name="export"),
    path("new/", views.member_create, name="create"),
    path("import/", import_views.import_upload, name="import"),
    path("import/template/", import_views.import_template, name="import_template"),
    path("import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("import/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("import/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("lookup/", views.member_lookup, name="lookup"),
    path("me/", views.my_file, name="me"),
    path("contact-requests/", views.contact_request_list, name="contact_requests"),
    path(
        "contact-requests/<int:pk>/<str:decision>/",
        views.contact_request_decide,
        name="contact_request_decide",
    ),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/photo/", views.member_photo, name="photo"),
    path("<int:pk>/history/", views.member_history, name="history"),
    path("<int:pk>/unmask/<str:field>/", views.member_unmask, name="unmask"),
]
