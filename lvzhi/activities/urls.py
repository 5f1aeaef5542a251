from django.urls import path

from . import views

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
]
