from django.urls import path

from . import views

app_name = "organization"
urlpatterns = [
    path("", views.org_index, name="index"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:unit_pk>/liaisons/new/", views.liaison_create, name="liaison_create"),
    path("units/<int:unit_pk>/memberships/new/", views.membership_create, name="membership_create"),
    path("memberships/<int:pk>/delete/", views.membership_delete, name="membership_delete"),
    path("terms/new/", views.term_create, name="term_create"),
    path("terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("departments/", views.department_list, name="departments"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<int:pk>/edit/", views.department_edit, name="department_edit"),
    path("liaisons/", views.liaison_list, name="liaisons"),
    path("liaisons/<int:pk>/", views.liaison_detail, name="liaison_detail"),
    path("liaisons/contacts/<int:pk>/edit/", views.liaison_contact_edit, name="liaison_contact_edit"),
    path("liaisons/contacts/<int:pk>/delete/", views.liaison_contact_delete, name="liaison_contact_delete"),
]
