"""The roles of DESIGN §1 as groups with named permissions.

Data migrations create the groups: `0003_roles` with the whole table as it first stood, each later one
(`0005_roles_second_factor`, …, `library/0002_roles`) with a frozen copy of the part of one app it
changed. A change to the table needs a new data migration with such a copy (migrations import no live
code, which `make lint` checks); tests/test_roles.py checks that the groups they build equal this table.
`sync_roles` puts a database's groups back to the table as it is today.
"""

from django.contrib.auth.models import Permission
from django.db.models import Q, TextChoices
from django.utils.translation import gettext_lazy as _


class Role(TextChoices):
    SYSADMIN = "系统管理员", _("System administrator")
    SECADMIN = "安全保密管理员", _("Security administrator")
    AUDITOR = "安全审计员", _("Security auditor")
    OFFICE = "办公室工作人员", _("Office staff")
    UNIT_STAFF = "专委会/工委工作人员", _("Unit staff")
    EDITOR = "社情民意编辑", _("Public-opinion editor")
    LEADER = "领导", _("Leader")
    MEMBER = "委员", _("Member")
    OFFICER = "信息员", _("Information officer")
    HANDLING_UNIT = "承办单位", _("Handling unit")


# The three administrators are separate (等保 三员分立): none of them sees members' personal data.
ADMIN_ROLES = {Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR}

# The rights that show or hand out members' full personal data: unmasked ID and phone numbers on the
# pages and in the roster export (lvzhi/members/export_views.py gates `unmask` on the same permission).
# Their holders sign in with a second factor and their credentials are reset with the administrators' care.
PERSONAL_DATA_PERMISSIONS = ("members.unmask_personal_data",)


def is_administrator(user):
    """Whether the account holds one of the three administrator roles (active or not)."""
    return user.groups.filter(name__in=[r.value for r in ADMIN_ROLES]).exists()


def holds_personal_data_rights(user):
    """Whether the account may unmask or export full personal data. Read from its roles and own
    permissions directly: `has_perm` answers no for a disabled account, which may be enabled again."""
    if user.is_superuser:
        return True
    wanted = Q()
    for dotted in PERSONAL_DATA_PERMISSIONS:
        app_label, codename = dotted.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(wanted).filter(Q(group__user=user) | Q(user=user)).exists()


_ORG_VIEW = [
    "organization.view_committee",
    "organization.view_term",
    "organization.view_session",
    "organization.view_orgunit",
    "organization.view_membership",
    "organization.view_department",
    "organization.view_liaison",
    "organization.view_liaisoncontact",
]

ROLE_PERMISSIONS = {
    Role.SYSADMIN: [
        "accounts.password_expires",
        "accounts.requires_second_factor",
        "accounts.manage_users",
        "organization.view_committee",
    ],
    Role.SECADMIN: ["accounts.password_expires", "accounts.requires_second_factor", "accounts.assign_roles"],
    Role.AUDITOR: ["accounts.password_expires", "accounts.requires_second_factor", "core.view_audit_log"],
    Role.OFFICE: [
        "accounts.password_expires",
        "accounts.committee_wide",
        *_ORG_VIEW,
        "organization.add_term",
        "organization.change_term",
        "organization.add_session",
        "organization.change_session",
        "organization.add_orgunit",
        "organization.change_orgunit",
        "organization.add_membership",
        "organization.change_membership",
        "organization.delete_membership",
        "organization.add_department",
        "organization.change_department",
        "organization.add_liaison",
        "organization.change_liaison",
        "organization.add_liaisoncontact",
        "members.view_member",
        "members.add_member",
        "members.change_member",
        "members.unmask_personal_data",
        "members.approve_contact_update",
        "activities.view_activity",
        "activities.add_activity",
        "activities.change_activity",
        "activities.run_activity",
        "activities.approve_leave",
        "studies.add_trainingplan",
        "studies.change_trainingplan",
        "studies.view_trainingplan",
        "studies.view_studysubmission",
        "studies.acknowledge_studysubmission",
        "library.view_document",
        "library.add_document",
        "library.change_document",
        "library.delete_document",
        "library.read_staff_documents",
        "opinions.view_opinionreport",
        "opinions.manage_officers",
        "opinions.record_paper_report",
        "opinions.view_inspectionreport",
        "opinions.add_inspectionreport",
        "opinions.change_inspectionreport",
        "proposals.view_proposal",
        "proposals.review_proposal",
        "scoring.manage_rules",
        "scoring.view_scores",
        "scoring.assess_units",
        "scoring.approve_dutyclaim",
        "ledger.import_records",
        "portal.view_publicmessage",
        "portal.moderate_publicmessage",
        "portal.review_membersuggestion",
        "portal.view_announcement",
        "portal.add_announcement",
        "portal.change_announcement",
        "portal.change_portalsettings",
    ],
    Role.UNIT_STAFF: [
        "accounts.password_expires",
        *_ORG_VIEW,
        "organization.change_orgunit",
        "organization.add_membership",
        "organization.change_membership",
        "organization.delete_membership",
        "organization.add_liaisoncontact",
        "members.view_member",
        "members.change_member",
        "activities.view_activity",
        "activities.add_activity",
        "activities.change_activity",
        "activities.run_activity",
        "studies.view_studysubmission",
        "studies.acknowledge_studysubmission",
        "library.read_staff_documents",
        "opinions.add_opinionreport",
        "proposals.add_proposal",
        "opinions.view_inspectionreport",
        "opinions.add_inspectionreport",
        "opinions.change_inspectionreport",
    ],
    Role.EDITOR: [
        "accounts.password_expires",
        "accounts.committee_wide",
        *_ORG_VIEW,
        "members.view_member",
        "library.read_staff_documents",
        "opinions.view_opinionreport",
        "opinions.process_opinionreport",
        "opinions.manage_officers",
        "opinions.view_inspectionreport",
    ],
    Role.LEADER: [
        "accounts.password_expires",
        "accounts.committee_wide",
        *_ORG_VIEW,
        "members.view_member",
        "activities.view_activity",
        "activities.approve_leave",
        "activities.approve_plenary_leave",
        "studies.view_trainingplan",
        "studies.view_studysubmission",
        "library.read_staff_documents",
        "opinions.view_opinionreport",
        "opinions.sign_opinionreport",
        "opinions.view_inspectionreport",
        "proposals.view_proposal",
        "scoring.view_scores",
    ],
    Role.MEMBER: ["opinions.add_opinionreport", "proposals.add_proposal", "portal.add_membersuggestion"],
    Role.OFFICER: ["opinions.add_opinionreport"],
    Role.HANDLING_UNIT: ["proposals.handle_proposal"],
}


def sync_roles(apps):
    """Create or update every role group with exactly the permissions of the table."""
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally created after migrate; make sure they exist before we assign them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            # An older migration runs with today's table but yesterday's models: a permission that does
            # not exist yet is skipped here and granted by the later migration that syncs again.
            # tests/test_roles checks that the final groups match the table exactly.
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
