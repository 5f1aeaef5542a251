from django.urls import path

from . import onboarding_views, views

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
    path("users/<int:pk>/member-search/", views.user_member_search, name="user_member_search"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path(
        "users/<int:pk>/second-factor/reset/", views.user_second_factor_reset, name="user_second_factor_reset"
    ),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("lockouts/", views.lockout_list, name="lockout_list"),
    # Members' accounts in bulk and their activation codes (onboarding.py)
    path("member-policy/", onboarding_views.member_policy, name="member_policy"),
    path("onboarding/", onboarding_views.onboarding_confirm, name="onboarding"),
    path("onboarding/<int:pk>/", onboarding_views.onboarding_result, name="onboarding_result"),
    path("onboarding/<int:pk>/letters/", onboarding_views.onboarding_letters, name="onboarding_letters"),
    path("onboarding/<int:pk>/sms/", onboarding_views.onboarding_sms, name="onboarding_sms"),
    path("users/<int:pk>/activation/", onboarding_views.user_activation, name="user_activation"),
    path(
        "users/<int:pk>/activation/new/", onboarding_views.user_activation_issue, name="user_activation_issue"
    ),
    path(
        "users/<int:pk>/activation/letter/",
        onboarding_views.user_activation_letter,
        name="user_activation_letter",
    ),
    path("users/<int:pk>/activation/sms/", onboarding_views.user_activation_sms, name="user_activation_sms"),
    path("activate/", onboarding_views.activate, name="activate"),
    path("activate/password/", onboarding_views.activate_password, name="activate_password"),
]
