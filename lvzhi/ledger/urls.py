from django.urls import path

from . import import_views, views

app_name = "ledger"
urlpatterns = [
    path("me/", views.my_record, name="mine"),
    path("me/<int:year>/", views.my_record, name="me"),
    path("members/<int:member_pk>/<int:year>/", views.member_record, name="member_record"),
    *import_views.urlpatterns,
]
