from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("second-factor/", views.second_factor_verify, name="second_factor"),
    path("second-factor/setup/", views.second_factor_setup, name="second_factor_setup"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/roles/", views.user_roles, name="user_roles"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path(
        "users/<int:pk>/second-factor/reset/", views.user_second_factor_reset, name="user_second_factor_reset"
    ),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("lockouts/", views.lockout_list, name="lockout_list"),
]
