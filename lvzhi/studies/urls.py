from django.urls import path

from . import views

app_name = "studies"
urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("submissions/", views.queue, name="queue"),
    path("submissions/export/", views.export, name="export"),
    path("submissions/paper/", views.paper_submit, name="paper_submit"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/edit/", views.edit_submission, name="submission_edit"),
    path("submissions/<int:pk>/attachment/", views.attachment, name="attachment"),
    path("submissions/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("submissions/<int:pk>/return/", views.return_submission, name="return"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/publish/", views.plan_status, {"to_status": "published"}, name="plan_publish"),
    path("plans/<int:pk>/unpublish/", views.plan_status, {"to_status": "draft"}, name="plan_unpublish"),
    path("plans/<int:pk>/sessions/add/", views.session_add, name="session_add"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
]
