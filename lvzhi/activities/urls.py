from django.urls import path

from . import leave_views, speech_views, views

app_name = "activities"
urlpatterns = [
    path("mine/", views.my_activities, name="mine"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/confirm/", views.respond, {"action": "confirm"}, name="confirm"),
    path("<int:pk>/decline/", views.respond, {"action": "decline"}, name="decline"),
    path("<int:pk>/leave/", views.respond, {"action": "leave"}, name="leave"),
    path("<int:pk>/kiosk/", views.kiosk, name="kiosk"),
    path("<int:pk>/kiosk/code/", views.kiosk_code, name="kiosk_code"),
    path("<int:pk>/checkin/<str:token>/", views.scan, name="scan"),
    path("leave/", leave_views.leave_requests, name="leave_requests"),
    path("leave/<int:pk>/<str:decision>/", leave_views.leave_decide, name="leave_decide"),
    path("<int:pk>/speeches/", speech_views.speeches, name="speeches"),
    path("<int:pk>/speeches/<int:speech_pk>/delete/", speech_views.speech_delete, name="speech_delete"),
]
