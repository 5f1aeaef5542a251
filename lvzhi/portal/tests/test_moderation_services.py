"""The moderation services (services/moderation.py): each step's status move with its history and audit
rows, the refusals (illegal moves, stale versions, a held message published unchecked, another
committee, no right), hiding keeps the row, the conversion into a 社情民意 report without the writer's
contact unless asked, the audited telephone, reply templates and the site's settings."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.core.workflow import StaleEdit
from lvzhi.notifications.models import Notification
from lvzhi.opinions.models import Category as OpinionCategory
from lvzhi.opinions.models import OpinionReport
from lvzhi.opinions.services import reports as opinion_reports
from lvzhi.portal import public_site
from lvzhi.portal.models import PortalSettings, PublicMessage, PublicMessageStatusChange, ReplyTemplate
from lvzhi.portal.services import moderation as services

from .conftest import PHONE

pytestmark = pytest.mark.usefixtures("english")

Status = PublicMessage.Status


def events(code):
    return list(AuditEvent.objects.filter(event=code))


def last_change(message):
    return PublicMessageStatusChange.objects.filter(message=message).latest("pk")


# --- the steps ----------------------------------------------------------------------------------------


def test_publish_moves_the_message_with_its_reply_history_and_audit(office, make_message):
    message, _code = make_message()
    published = services.publish(message, actor=office, reply="  已转交城关镇处理。 ", expected_version=1)
    message.refresh_from_db()
    assert published.status == message.status == Status.PUBLISHED
    assert message.reply == "已转交城关镇处理。" and message.replied_by == office
    assert message.published_at is not None and message.replied_at is not None
    assert message.version == 2
    change = last_change(message)
    assert (change.from_status, change.to_status, change.actor) == (Status.RECEIVED, Status.PUBLISHED, office)
    [event] = events("portal.message_published")
    assert event.actor == office and event.object_id == str(message.pk)
    assert event.committee_id == message.committee_id
    assert PublicMessage.objects.public(message.committee).get() == message


def test_publish_needs_a_reply(office, make_message):
    message, _code = make_message()
    with pytest.raises(ValidationError, match="Reply: write the reply"):
        services.publish(message, actor=office, reply="  ", expected_version=1)
    message.refresh_from_db()
    assert message.status == Status.RECEIVED and not PublicMessageStatusChange.objects.exists()


@pytest.mark.parametrize("step", ["publish", "answer_privately"])
def test_a_template_blank_left_in_the_reply_is_refused(office, make_message, step):
    message, _code = make_message()
    with pytest.raises(ValidationError, match="blank {部门}"):
        getattr(services, step)(message, actor=office, reply="已转交{部门}研究办理。", expected_version=1)
    message.refresh_from_db()
    assert message.status == Status.RECEIVED and message.reply == ""
    # Braces that are no blank (a formula, a quotation with spaces) are the moderator's text.
    services.publish(message, actor=office, reply="详见{ 附件 }与《办法》{}。", expected_version=1)


def test_a_held_message_is_not_published_without_the_words_checked(office, make_message):
    message, _code = make_message(sensitive_hits="赌博")
    with pytest.raises(ValidationError, match="flagged words") as refused:
        services.publish(message, actor=office, reply="谢谢。", expected_version=1)
    assert refused.value.code == "words_not_checked"
    message.refresh_from_db()
    assert message.status == Status.RECEIVED and message.version == 1
    assert not events("portal.message_published")
    services.publish(message, actor=office, reply="谢谢。", expected_version=1, words_checked=True)
    message.refresh_from_db()
    assert message.status == Status.PUBLISHED


def test_answer_privately_keeps_the_message_off_the_site(office, make_message):
    message, _code = make_message()
    services.answer_privately(message, actor=office, reply="请拨打12345反映。", expected_version=1)
    message.refresh_from_db()
    assert message.status == Status.ANSWERED and message.reply == "请拨打12345反映。"
    assert message.published_at is None
    assert not PublicMessage.objects.public(message.committee).exists()
    assert last_change(message).to_status == Status.ANSWERED
    assert len(events("portal.message_answered")) == 1
    # a private answer may still be published afterwards
    services.publish(message, actor=office, reply="公开答复。", expected_version=2)
    message.refresh_from_db()
    assert message.status == Status.PUBLISHED and message.reply == "公开答复。"


def test_hide_keeps_the_row_with_its_reason_and_restore_brings_it_back(office, make_message):
    message, _code = make_message(status=Status.PUBLISHED)
    with pytest.raises(ValidationError, match="Reason for hiding"):
        services.hide(message, actor=office, reason="", expected_version=1)
    services.hide(message, actor=office, reason="广告", expected_version=1)
    message.refresh_from_db()
    assert PublicMessage.objects.filter(pk=message.pk).exists()
    assert message.status == Status.HIDDEN and message.hidden_reason == "广告"
    assert message.content and message.reply  # nothing taken away
    assert not PublicMessage.objects.public(message.committee).exists()
    change = last_change(message)
    assert change.to_status == Status.HIDDEN and change.reason == "广告"
    assert len(events("portal.message_hidden")) == 1
    services.restore(message, actor=office, expected_version=2)
    message.refresh_from_db()
    assert message.status == Status.RECEIVED and message.hidden_reason == ""
    assert last_change(message).to_status == Status.RECEIVED
    assert len(events("portal.message_restored")) == 1


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (Status.PUBLISHED, "answer"),
        (Status.PUBLISHED, "publish"),
        (Status.HIDDEN, "publish"),
        (Status.HIDDEN, "hide"),
        (Status.CONVERTED, "hide"),
        (Status.CONVERTED, "convert"),
        (Status.ANSWERED, "convert"),
        (Status.RECEIVED, "restore"),
    ],
)
def test_illegal_moves_are_refused_with_a_clear_message(office, make_message, status, step):
    message, _code = make_message(status=status)
    calls = {
        "publish": lambda: services.publish(message, actor=office, reply="答复", expected_version=1),
        "answer": lambda: services.answer_privately(message, actor=office, reply="答复", expected_version=1),
        "hide": lambda: services.hide(message, actor=office, reason="广告", expected_version=1),
        "restore": lambda: services.restore(message, actor=office, expected_version=1),
        "convert": lambda: services.convert(
            message, actor=office, title="标题", body="正文", include_contact=False, expected_version=1
        ),
    }
    with pytest.raises(ValidationError) as refused:
        calls[step]()
    assert refused.value.code == "illegal_transition"
    assert "A message that is" in refused.value.messages[0]
    message.refresh_from_db()
    assert message.status == status and message.version == 1
    assert not PublicMessageStatusChange.objects.exists()
    assert not OpinionReport.objects.exists()


def test_a_stale_version_is_refused(office, make_message):
    message, _code = make_message()
    services.answer_privately(message, actor=office, reply="先私下答复。", expected_version=1)
    with pytest.raises(StaleEdit):
        services.publish(message, actor=office, reply="公开答复。", expected_version=1)
    with pytest.raises(StaleEdit):
        services.hide(message, actor=office, reason="广告", expected_version=1)
    message.refresh_from_db()
    assert message.status == Status.ANSWERED and message.reply == "先私下答复。"


@pytest.mark.parametrize("role", [Role.EDITOR, Role.LEADER, Role.MEMBER, Role.UNIT_STAFF, Role.SYSADMIN])
def test_only_moderators_take_the_steps(role_user, make_message, role):
    message, _code = make_message()
    user = role_user(role)
    with pytest.raises(PermissionDenied):
        services.publish(message, actor=user, reply="答复", expected_version=1)
    with pytest.raises(PermissionDenied):
        services.reveal_phone(message, actor=user)
    message.refresh_from_db()
    assert message.status == Status.RECEIVED


def test_the_office_of_another_committee_takes_no_step(make_user, make_message, other_committee):
    message, _code = make_message()
    stranger = make_user(Role.OFFICE, committee=other_committee, username="other_office")
    with pytest.raises(PermissionDenied):
        services.hide(message, actor=stranger, reason="广告", expected_version=1)
    with pytest.raises(PermissionDenied):
        services.convert(
            message, actor=stranger, title="t", body="b", include_contact=False, expected_version=1
        )
    message.refresh_from_db()
    assert message.status == Status.RECEIVED


# --- turning a message into a 社情民意 report ---------------------------------------------------------------


def test_convert_makes_a_submitted_public_report_without_the_writers_contact(office, editor, make_message):
    message, _code = make_message()
    report = services.convert(
        message,
        actor=office,
        title="关于修复幸福小区路灯的建议",
        body=message.content,
        include_contact=False,
        expected_version=1,
    )
    message.refresh_from_db()
    report.refresh_from_db()
    assert report.status == OpinionReport.Status.SUBMITTED
    assert report.source == OpinionReport.Source.PUBLIC
    assert report.committee_id == message.committee_id
    assert report.title == "关于修复幸福小区路灯的建议" and report.body == message.content
    authors = list(report.authors.values_list("name", flat=True))
    assert authors == ["A member of the public"]
    for text in [report.title, report.body, *authors]:
        assert PHONE not in text and PHONE[-4:] not in text and "张女士" not in text
    # linked both ways
    assert message.report == report and list(report.public_messages.all()) == [message]
    assert message.status == Status.CONVERTED
    assert last_change(message).to_status == Status.CONVERTED
    assert len(events("portal.message_converted")) == 1
    # the editors hear of it through opinions' own service
    assert Notification.objects.filter(recipient=editor).exists()
    assert OpinionReport.objects.filter(status=OpinionReport.Status.SUBMITTED).get() == report


def test_convert_with_the_contact_appends_name_and_phone(office, make_message):
    message, _code = make_message()
    report = services.convert(
        message, actor=office, title="路灯", body="路灯坏了。", include_contact=True, expected_version=1
    )
    assert report.body.startswith("路灯坏了。\n\n")
    assert PHONE in report.body and "张女士" in report.body
    assert list(report.authors.values_list("name", flat=True)) == ["张女士"]


def test_convert_needs_a_title_and_a_text(office, make_message):
    message, _code = make_message()
    with pytest.raises(ValidationError, match="Report title"):
        services.convert(
            message, actor=office, title=" ", body="正文", include_contact=False, expected_version=1
        )
    with pytest.raises(ValidationError, match="Report text"):
        services.convert(
            message, actor=office, title="标题", body="", include_contact=False, expected_version=1
        )
    assert not OpinionReport.objects.exists()
    message.refresh_from_db()
    assert message.status == Status.RECEIVED


def test_the_converter_cannot_register_the_report_a_colleague_does(office, editor, make_message, committee):
    # An office member who is also an editor: opinions' rule still keeps them off their own report.
    office.groups.add(Group.objects.get(name=Role.EDITOR.value))
    message, _code = make_message()
    report = services.convert(
        message, actor=office, title="路灯", body="路灯坏了。", include_contact=False, expected_version=1
    )
    category = OpinionCategory.objects.filter(committee=committee).first()
    office = type(office).objects.get(pk=office.pk)  # fresh permission cache
    with pytest.raises(ValidationError) as refused:
        opinion_reports.register(report, actor=office, category=category)
    assert refused.value.code == "own_report"
    opinion_reports.register(report, actor=editor, category=category)
    report.refresh_from_db()
    assert report.status == OpinionReport.Status.REGISTERED


def test_a_converted_message_is_still_answered_to_its_writer(office, make_message):
    message, _code = make_message()
    services.convert(
        message, actor=office, title="路灯", body="路灯坏了。", include_contact=False, expected_version=1
    )
    services.publish(message, actor=office, reply="已转为社情民意信息报送。", expected_version=2)
    message.refresh_from_db()
    assert message.status == Status.PUBLISHED and message.report is not None


# --- the telephone ------------------------------------------------------------------------------------


def test_reveal_phone_gives_the_number_and_audits_it(office, make_message):
    message, _code = make_message()
    assert services.reveal_phone(message, actor=office) == PHONE
    [event] = events("portal.message_phone_shown")
    assert event.action == AuditEvent.Action.UNMASK and event.actor == office
    assert event.object_id == str(message.pk) and PHONE not in str(event.params) + str(event.detail)


# --- reply templates ----------------------------------------------------------------------------------


def test_reply_templates_are_saved_changed_and_deleted_with_audit(office, committee):
    template = services.save_reply_template(
        actor=office, committee=committee, title="感谢", text="感谢您的留言。"
    )
    assert template.committee == committee
    services.save_reply_template(
        actor=office, committee=committee, title="感谢来信", text="感谢您的来信。", order=2, template=template
    )
    template.refresh_from_db()
    assert (template.title, template.text, template.order) == ("感谢来信", "感谢您的来信。", 2)
    assert len(events("portal.reply_template_saved")) == 2
    services.delete_reply_template(template, actor=office)
    assert not ReplyTemplate.objects.exists()
    [event] = events("portal.reply_template_deleted")
    assert event.params == {"title": "感谢来信"}


def test_reply_templates_refuse_blank_text_and_strangers(office, committee, other_committee, make_user):
    with pytest.raises(ValidationError, match="Text"):
        services.save_reply_template(actor=office, committee=committee, title="感谢", text=" ")
    stranger = make_user(Role.OFFICE, committee=other_committee, username="other_office")
    template = services.save_reply_template(actor=office, committee=committee, title="感谢", text="谢谢。")
    with pytest.raises(PermissionDenied):
        services.save_reply_template(actor=stranger, committee=committee, title="x", text="y")
    with pytest.raises(PermissionDenied):
        services.delete_reply_template(template, actor=stranger)
    assert ReplyTemplate.objects.count() == 1


# --- the site's settings ------------------------------------------------------------------------------


def settings_kwargs(**changes):
    return {
        "accepting_messages": True,
        "sensitive_words": "赌博\n  代开发票 \n\n赌博\n",
        "overdue_days": 10,
        "office_phone": "0571-88886666",
        "expected_version": 1,
        **changes,
    }


def test_settings_are_saved_and_audited_with_counts(office, committee):
    site = services.update_settings(actor=office, committee=committee, **settings_kwargs())
    assert site.version == 2 and site.word_list() == ["赌博", "代开发票"]
    assert public_site.settings_for(committee).overdue_days == 10
    [event] = events("portal.settings_changed")
    assert event.detail["sensitive_words"] == {
        "before": 0,
        "after": 2,
        "added": ["赌博", "代开发票"],
        "removed": [],
    }
    assert event.detail["overdue_days"] == {"before": 7, "after": 10}
    many = "\n".join(f"词{i}" for i in range(30))
    services.update_settings(
        actor=office, committee=committee, **settings_kwargs(sensitive_words=many, expected_version=2)
    )
    detail = AuditEvent.objects.filter(event="portal.settings_changed").latest("pk").detail
    assert detail["sensitive_words"]["after"] == 30 and "added" not in detail["sensitive_words"]
    assert "词1" not in str(detail)
    assert set(detail) == {"sensitive_words"}


def test_settings_refuse_a_stale_version_and_bad_values(office, committee):
    services.update_settings(actor=office, committee=committee, **settings_kwargs())
    with pytest.raises(StaleEdit):
        services.update_settings(actor=office, committee=committee, **settings_kwargs(overdue_days=3))
    for bad in (
        {"overdue_days": 0},
        {"overdue_days": 91},
        {"sensitive_words": "长" * 51},
        {"office_phone": "1" * 41},
    ):
        with pytest.raises(ValidationError):
            services.update_settings(
                actor=office, committee=committee, **settings_kwargs(expected_version=2, **bad)
            )
    site = PortalSettings.objects.get(committee=committee)
    assert site.version == 2 and site.overdue_days == 10


def test_settings_need_their_right(role_user, committee):
    with pytest.raises(PermissionDenied):
        services.update_settings(actor=role_user(Role.EDITOR), committee=committee, **settings_kwargs())
    assert not PortalSettings.objects.exists()
