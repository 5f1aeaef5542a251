from django.urls import path

from . import views

app_name = "library"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("new/", views.document_create, name="create"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/download/", views.document_download, name="download"),
    path("<int:pk>/edit/", views.document_edit, name="edit"),
    path("<int:pk>/publish/", views.document_publish, name="publish"),
    path("<int:pk>/unpublish/", views.document_unpublish, name="unpublish"),
    path("<int:pk>/delete/", views.document_delete, name="delete"),
]
