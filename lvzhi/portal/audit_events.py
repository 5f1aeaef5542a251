"""The public site's audit events (see lvzhi.core.audit): code → message with named parameters. Status
moves (core.workflow.move) name %(object)s; the others name what their service passes."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    # 公众留言: the writer's submission (no account: the audit row carries the address) and moderation.
    "portal.message_received": _("Public message received: %(title)s"),
    "portal.message_published": _("Public message answered publicly: %(object)s"),
    "portal.message_answered": _("Public message answered privately: %(object)s"),
    "portal.message_hidden": _("Public message hidden: %(object)s"),
    "portal.message_restored": _("Hidden public message back in the queue: %(object)s"),
    "portal.message_converted": _("Public message turned into a public-opinion report: %(object)s"),
    "portal.message_phone_shown": _("Telephone number of a public message shown: %(title)s"),
    "portal.messages_exported": _("Public messages exported (%(count)s)"),
    "portal.reply_template_saved": _("Reply template saved: %(title)s"),
    "portal.reply_template_deleted": _("Reply template deleted: %(title)s"),
    "portal.settings_changed": _("Public site settings changed"),
    # Announcements.
    "portal.announcement_saved": _("Announcement saved: %(title)s"),
    "portal.announcement_published": _("Announcement published: %(title)s"),
    "portal.announcement_withdrawn": _("Announcement withdrawn: %(title)s"),
    # 委员建言.
    "portal.suggestion_saved": _("Member's suggestion saved: %(title)s"),
    "portal.suggestion_deleted": _("Member's suggestion draft deleted: %(title)s"),
    "portal.suggestion_submitted": _("Member's suggestion submitted: %(object)s"),
    "portal.suggestion_published": _("Member's suggestion published: %(object)s"),
    "portal.suggestion_returned": _("Member's suggestion returned for revision: %(object)s"),
    "portal.suggestion_withdrawn": _("Member's suggestion taken off the site: %(object)s"),
    "portal.suggestion_answered": _("Official answer to a member's suggestion saved: %(title)s"),
}
