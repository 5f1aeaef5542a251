"""Accounts' audit events (see lvzhi.core.audit): code → message with named parameters. Signing in and
out, a failed sign-in, an expired session and one's own password change need none: their action says
all there is."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "accounts.user_created": _("Account created: %(account)s"),
    "accounts.user_edited": _("Account edited: %(account)s (%(fields)s)"),
    "accounts.roles_changed": _("Roles of %(account)s changed"),
    "accounts.password_reset": _("Password of %(account)s reset"),
    "accounts.password_reset_on_command_line": _(
        "Password of %(account)s reset on the command line (manage.py reset_credentials)"
    ),
    "accounts.second_factor_reset": _("Second factor of %(account)s reset"),
    "accounts.second_factor_reset_on_command_line": _(
        "Second factor of %(account)s reset on the command line (manage.py reset_credentials)"
    ),
    "accounts.second_factor_enrolled": _("Authenticator app set up"),
    "accounts.disabled_member_left": _("Account %(account)s disabled: the member no longer serves"),
    "accounts.member_account_policy_changed": _("Member account policy changed"),
    "accounts.member_accounts_created": _("Member accounts created: %(created)s, %(skipped)s skipped"),
    "accounts.officer_account_created": _("Information officer's account created: %(account)s"),
    "accounts.activation_code_issued": _("Activation code issued for %(account)s"),
    "accounts.activation_letters_made": _("Activation letters made: %(count)s"),
    "accounts.activation_codes_texted": _("Activation codes texted: %(sent)s sent, %(failed)s not sent"),
    "accounts.activated": _("Account activated with an activation code"),
    "accounts.unlocked": _("Account %(account)s unlocked"),
    "accounts.sign_in_refused_locked": _("Sign-in refused: the account is locked"),
    "accounts.locked_out": _("Locked after repeated failed sign-ins, until %(until)s"),
}
