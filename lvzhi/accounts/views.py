from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from lvzhi.core import audit
from lvzhi.core.forms import StyledFormMixin


class LoginForm(AuthenticationForm):
    # One message for a wrong password, an unknown user and a locked account (no user enumeration).
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Wrong username or password, or the account is temporarily locked after repeated failures. "
            "Please try again later or ask the office."
        ),
    }


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(audit.Action.LOGIN, actor=form.get_user(), request=self.request)
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            audit.record(audit.Action.LOGOUT, actor=request.user, request=request)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = StyledPasswordChangeForm
    success_url = "/"

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(audit.Action.PASSWORD_CHANGE, actor=self.request.user, request=self.request)
        messages.success(self.request, _("Your password has been changed."))
        return response
