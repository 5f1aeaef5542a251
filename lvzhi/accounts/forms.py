from django import forms
from django.contrib.auth import password_validation
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lvzhi.core.forms import StyledFormMixin
from lvzhi.members import selectors
from lvzhi.members.models import Member
from lvzhi.organization.models import Department, OrgUnit

from .models import User
from .roles import Role


class NewPasswordMixin:
    """Two password fields checked against the password policy (settings.AUTH_PASSWORD_VALIDATORS)."""

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            user = self.password_user()
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class UserCreateForm(StyledFormMixin, NewPasswordMixin, forms.ModelForm):
    password1 = forms.CharField(
        label=gettext_lazy("Initial password"), widget=forms.PasswordInput, strip=False
    )
    password2 = forms.CharField(
        label=gettext_lazy("Repeat the password"), widget=forms.PasswordInput, strip=False
    )

    class Meta:
        model = User
        fields = ["username", "display_name"]

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee

    def password_user(self):
        return User(
            username=self.cleaned_data.get("username", ""),
            display_name=self.cleaned_data.get("display_name", ""),
        )


# The largest primary key a database column holds; SQLite raises OverflowError past it instead of
# finding nothing.
def _field_label(name):
    return capfirst(User._meta.get_field(name).verbose_name)


class UserEditForm(StyledFormMixin, forms.Form):
    """The system administrator's edit of an account; services.update_user saves it."""

    display_name = forms.CharField(label=_field_label("display_name"), max_length=64, required=False)
    is_active = forms.BooleanField(
        label=_field_label("is_active"),
        required=False,
        help_text=gettext_lazy(
            "Unselect this instead of deleting accounts: a disabled account cannot sign in, and its "
            "sessions end for good."
        ),
    )
    units = forms.ModelMultipleChoiceField(
        label=_field_label("units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=User._meta.get_field("units").help_text,
    )
    department = forms.ModelChoiceField(
        label=_field_label("department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=User._meta.get_field("department").help_text,
    )
    # Chosen by searching (user_member_search fills this hidden field): a committee has hundreds of files,
    # too many for a drop-down. The queryset still decides what may be linked.
    member = forms.ModelChoiceField(
        label=gettext_lazy("Member file"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        help_text=gettext_lazy("For a member's account: the file the member sees as their own."),
        error_messages={
            "invalid_choice": gettext_lazy(
                "This member file cannot be linked: it is not one of your committee's files without an "
                "account. Search for the member again and choose them from the list."
            )
        },
    )
    unlink_member = forms.BooleanField(
        label=gettext_lazy("Remove the link to the member file"),
        required=False,
        help_text=gettext_lazy("The file stays as it is; only this account no longer opens it as its own."),
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        committee = account.committee
        self.account = account
        self.fields["units"].queryset = OrgUnit.objects.filter(
            committee=committee,
            kind__in=[OrgUnit.Kind.SPECIAL_COMMITTEE, OrgUnit.Kind.TOWN_COMMITTEE, OrgUnit.Kind.SECTOR],
        ).order_by("kind", "sort_order")
        self.fields["member"].queryset = linkable_members(account)
        self.fields["department"].queryset = Department.objects.filter(committee=committee, is_active=True)
        self.initial = {
            "display_name": account.display_name,
            "is_active": account.is_active,
            "units": list(account.units.all()),
            "department": account.department_id,
            "member": getattr(account, "member", None),
        }

    def clean(self):
        data = super().clean()
        if data.get("unlink_member"):
            data["member"] = None
        return data

    def chosen_member(self):
        """The file shown as chosen: the one posted (when it may be linked), else the linked one."""
        value = self["member"].value()
        if value in (None, ""):
            return None
        try:
            pk = value.pk if isinstance(value, Member) else int(value)
        except (TypeError, ValueError):
            return None
        return (
            self.fields["member"]
            .queryset.filter(pk=pk)
            .prefetch_related(selectors.current_terms_prefetch())
            .first()
        )


def linkable_members(account):
    """Member files the account may be linked to: its committee's files without an account, and its own."""
    return Member.objects.filter(committee_id=account.committee_id).filter(
        Q(user__isnull=True) | Q(user=account)
    )


class MemberPickForm(forms.Form):
    """The search box of the member picker on the account page (GET, htmx)."""

    q = forms.CharField(required=False, max_length=50)


class RoleForm(StyledFormMixin, forms.Form):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )


class PasswordResetForm(StyledFormMixin, NewPasswordMixin, forms.Form):
    password1 = forms.CharField(label=gettext_lazy("New password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(
        label=gettext_lazy("Repeat the password"), widget=forms.PasswordInput, strip=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def password_user(self):
        return self.user


class UserSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=50)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=[("", gettext_lazy("All roles")), *Role.choices], required=False
    )
