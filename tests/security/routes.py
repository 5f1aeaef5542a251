"""Every URL of the URL conf, with what the walk needs to know about it.

For each route: the methods it answers, how its URL is built from a side of the world (world.py), which
roles may use it on SOMEONE ELSE's object (or at all, for a page without an object), the query
parameters and form fields its view reads, and POST data that a permitted user would send.

`test_every_route_is_covered` compares this table with the URL conf, so a new URL fails the suite
until it is described here; `test_every_form_field_is_walked` compares the form fields a page really
renders with the fields listed here.
"""

import functools
import time
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from lvzhi.accounts.roles import Role

from .world import PDF, PNG, duty_xlsx, roster_xlsx

ALL = frozenset(Role)
NOBODY = frozenset()
OFFICE = frozenset({Role.OFFICE})
# Roles that see a committee's activities, statistics and study queue.
ACTIVITY_VIEWERS = frozenset({Role.OFFICE, Role.UNIT_STAFF, Role.LEADER})
# Committee-wide readers of member files (their own unit's for unit staff, who are left out here because
# the object under test belongs to another unit).
FILE_READERS = frozenset({Role.OFFICE, Role.EDITOR, Role.LEADER})
ORG_VIEWERS = frozenset({Role.OFFICE, Role.UNIT_STAFF, Role.EDITOR, Role.LEADER})
STAFF_READERS = ORG_VIEWERS  # library.read_staff_documents
ACCOUNT_ADMINS = frozenset({Role.SYSADMIN, Role.SECADMIN})
# 社情民意: who sees every (non-draft) report of the committee, who processes, who signs, who writes.
REPORT_READERS = frozenset({Role.OFFICE, Role.EDITOR, Role.LEADER})
EDITOR = frozenset({Role.EDITOR})
LEADER = frozenset({Role.LEADER})
WRITERS = frozenset({Role.UNIT_STAFF, Role.EDITOR, Role.MEMBER, Role.OFFICER})
OFFICER_MANAGERS = frozenset({Role.OFFICE, Role.EDITOR})
INSPECTION_VIEWERS = frozenset({Role.OFFICE, Role.UNIT_STAFF, Role.EDITOR, Role.LEADER})
ANONYMOUS = "anonymous"

STRONG_PASSWORD = "Qv7#mLp2-Xr9!wKd"  # meets every policy, also the administrators' 15 characters
NEXT_YEAR = timezone.localdate().year + 1


@dataclass(frozen=True)
class Route:
    methods: tuple = ("GET",)
    # side -> URL kwargs; None for a URL without arguments.
    kwargs: object = None
    # Whether the URL names an object of one side (then it is requested with someone else's object).
    has_object: bool = False
    ok: frozenset = NOBODY  # roles that may GET it (with someone else's object)
    ok_post: frozenset | None = None  # roles that may POST it, when not the same as `ok`
    public: bool = False  # needs no sign-in
    token_is_credential: bool = False  # the URL's token is the credential: anyone holding it may read
    query: tuple = ()  # query parameters the view reads
    data: object = None  # side -> POST data a permitted user would send
    optional: tuple = ()  # further POST fields the view reads, not in `data`
    files: dict = field(default_factory=dict)  # file field -> (name, content) a permitted user sends
    # The role that sends the hostile values, on the `own` side; ANONYMOUS for sign-in pages.
    actor: object = None
    # Pages whose purpose is to show a full number to a user allowed to see it (audited).
    shows_personal_data: bool = False
    # (client, world) -> None: puts the actor's client in the state the page expects (hostile walk).
    prepare: object = None
    # Roles that also send every hostile value, on their own objects: unit staff, whose forms and
    # services limit them to their units (issue 8, findings 2 and 3).
    also_as: tuple = ()

    def allowed(self, role, method):
        roles = self.ok_post if method == "POST" and self.ok_post is not None else self.ok
        return role in roles

    def hostile_actors(self, method):
        return (self.hostile_actor(method), *self.also_as)

    def hostile_actor(self, method):
        if self.actor is not None:
            return self.actor
        roles = self.ok_post if method == "POST" and self.ok_post is not None else self.ok
        for role in (Role.OFFICE, Role.MEMBER, *Role):
            if role in roles:
                return role
        raise AssertionError("a route nobody may use needs an explicit actor")

    def request_data(self, side):
        """The POST data a permitted user sends, files included."""
        data = dict(self.data(side)) if self.data else {}
        for name, (filename, content) in self.files.items():
            data[name] = SimpleUploadedFile(filename, content)
        return data

    def fields(self, method, side):
        if method == "GET":
            return tuple(self.query)
        return tuple(dict.fromkeys([*(self.data(side) if self.data else {}), *self.optional, *self.files]))


def _pk(attr):
    return lambda s: {"pk": getattr(s, attr).pk}


def _participation(attr):
    return lambda s: {"pk": getattr(s, attr).activity_id, "ppk": getattr(s, attr).pk}


PAGE = ("page",)
TOKEN = ("submission_token",)

# --- form data ------------------------------------------------------------------------------------


def _activity_data(s):
    return {
        "kind": "committee_meeting",
        "organizing_unit": s.unit.pk,
        "title": "专题协商会",
        "starts_at": f"{NEXT_YEAR}-03-01T09:00",
        "ends_at": f"{NEXT_YEAR}-03-01T11:00",
        "place": "二楼会议室",
        "registration_deadline": f"{NEXT_YEAR}-02-27T17:00",
        "checkin_opens_at": f"{NEXT_YEAR}-03-01T08:30",
        "checkin_closes_at": f"{NEXT_YEAR}-03-01T09:30",
        "agenda": "议程",
        "units": [s.unit.pk],
        "names": s.member.name,
    }


ACTIVITY_OPTIONAL = ("is_required", "all_members", "standing", "version", *TOKEN)


def _member_data(s):
    return {
        "name": "新委员",
        "gender": "male",
        "birth_date": "1975-03-01",
        "ethnicity": "汉族",
        "native_place": "本县",
        "email": "a@example.org",
        "party": "non_party",
        "education": "大学",
        "employer_post": "教师",
        "address": "县城",
        "notes": "备注",
        "term-status": "serving",
        "term-special_committees": [s.unit.pk],
    }


MEMBER_OPTIONAL = (
    "id_number",
    "phone",
    "term-sector",
    "term-town_committee",
    "term-is_standing",
    "term-status_date",
    "term-status_reason",
)
MEMBER_FILTERS = ("q", "sector", "town_committee", "special_committee", "status", "standing", "party")


def _document_data(s):
    return {
        "title": "工作规则",
        "category": "rules",
        "audience": "everyone",
        "summary": "摘要",
        "body": "正文",
        "published_on": "2026-06-01",
        "is_published": "on",
    }


def _study_data(s):
    return {"kind": "notes", "title": "学习心得", "session": s.training_session.pk, "body": "心得正文"}


def _plan_session_data(s):
    return {
        "planned_on": f"{s.year}-05-20",
        "topic": "专题讲座",
        "lecturer": "讲师",
        "audience": "全体委员",
        "activity": "",
    }


ATTACHMENT = {"file": ("附件.pdf", PDF)}


# --- 社情民意 --------------------------------------------------------------------------------------


def _report_data(s):
    return {
        "title": "关于加强农村饮水安全的建议",
        "body": "情况、分析和建议。",
        "category": s.category.pk,
        "co_authors": [s.second_member.pk],
        "agrees_to_publish": "on",
    }


def _version(attr):
    return lambda s: {"version": getattr(s, attr).version}


def _report(attr, **extra):
    return lambda s: {"pk": getattr(s, attr).pk, **extra}


# The write page's fields beside the report's: q, the co-author picker's search box (co_author_search);
# submit_now, the button that saves and submits in one post.
WRITE_PAGE = ("unit", "q", "submit_now")


# --- duty assessment (考核) and the duty-record import ----------------------------------------------
# The office holds scoring.manage_rules, view_scores, assess_units and ledger.import_records; leaders
# view_scores; a member sees their own score. Rule sets, unit assessments, inspection groups and imports
# are the committee's: the other side's (another draft version, the town committee's assessment and its
# group, another import) are someone else's only for those without the committee-wide right.
SCORE_VIEWERS = frozenset({Role.OFFICE, Role.LEADER})
SCORING_STAFF = OFFICE


@functools.cache
def _default_rules():
    from lvzhi.scoring.views.rules import default_rules_text

    return default_rules_text()


@functools.cache
def _rule_values():
    """The numbers form of the default rules as a permitted user sends it, the pass mark changed (so
    that the POST saves a version)."""
    from lvzhi.scoring import forms as scoring_forms
    from lvzhi.scoring import rules as scoring_rules

    slots = scoring_forms.slots_of(scoring_rules.load(_default_rules()))
    values = {slot.name: scoring_forms._plain(slot.value) if slot.value is not None else "" for slot in slots}
    values["pass_mark"] = "61"
    return values


def _group_data(s):
    return {
        "name": "第九考核组",
        "leader": s.second_member.pk,
        "leader_title": "副主席",
        "members": [s.member.pk],
        "units": [s.assessed_unit.pk],
    }


def _inspection_data(s):
    return {
        "findings": "考核意见",
        "version": s.unit_assessment.version,
        **{f"score_{code}": "10" for code in INDICATORS},
        **{f"note_{code}": "说明" for code in INDICATORS},
    }


INDICATORS = ("organization", "study", "duty", "opinions_proposals", "highlights")
REPORT_QUERY = ("year", "unit", "to", "format", "names")


def _claim_data(s):
    return {
        "kind": "commendation.city",
        "date": f"{NEXT_YEAR - 1}-01-02",
        "title": "获评优秀政协委员",
        "description": "县委、县政府表彰",
    }


def _duty_file():
    """An import of one record of the own side's member, named by name (the ID numbers are the world's)."""
    return duty_xlsx([["", "本方委员", f"{NEXT_YEAR - 1}-01-02", "activity.inspection", "", "", "补录"]])


# --- proposals (提案) -------------------------------------------------------------------------------
# Proposal staff review, assign and close (proposals.review_proposal: the office); leaders read every
# proposal; members and unit staff file (proposals.add_proposal); a handling unit's account handles what
# is assigned to its own department only (the other side's department is someone else's).
PROPOSAL_STAFF = OFFICE
PROPOSAL_READERS = frozenset({Role.OFFICE, Role.LEADER})
PROPOSERS = frozenset({Role.MEMBER, Role.UNIT_STAFF})
HANDLING_UNIT = frozenset({Role.HANDLING_UNIT})
# Contacts and paper replies happen between the assignment (two days ago in the world) and today.
PROPOSAL_TODAY = timezone.localdate().isoformat()


def _proposal_version(attr):
    return lambda s: {"version": getattr(s, attr).version}


# The write page's fields beside the proposal's: q, the member picker's search box; submit_now, the
# button that saves and submits in one post; the page's one-submission token.
PROPOSAL_WRITE_PAGE = (
    "q",
    "submit_now",
    "collective_unit",
    "collective_name",
    "collective_authors",
    "version",
    *TOKEN,
)


def _proposal_data(s):
    return {
        "title": "关于改善县城公交线路的提案",
        "case": "县城公交线路少、班次稀。",
        "analysis": "城区扩大后，新建小区没有公交覆盖。",
        "suggestions": "一是增开线路；二是加密班次。",
        "kind": "individual",
        "timing": "during",
        "session": s.session.pk,
        "category": s.proposal_category.pk,
        "suggested_departments": [s.department.pk],
        "co_signers": [s.second_member.pk],
    }


def _officer_data(s):
    return {"year": str(s.year), "quota": "12", "appointed_on": f"{s.year}-01-05"}


def _paper_prefix(s):
    return f"paper{s.inspection_transfer.pk}"


# --- the public site (公众留言, 委员建言, announcements) -------------------------------------------------
# The public pages (namespace public) need no sign-in and show only PUBLISHED rows of the committee the
# address names: every role and anonymous visitors read the same (test_portal_public.py proves that
# anything else is a 404). The office moderates messages, reviews suggestions and writes announcements;
# a member writes and hands in their own suggestions only.


def _public(attr=None):
    """The URL of a side's committee's public site, with the side's object `attr` when given."""
    if attr is None:
        return lambda s: {"code": s.committee.code}
    return lambda s: {"code": s.committee.code, "pk": getattr(s, attr).pk}


def _captcha_answer(s):
    """A live captcha challenge's key and its answer, as a person reading the picture types them: issued
    anew for each request (a challenge is single-use). Only the field names for cases.Anything."""
    if not isinstance(s, SimpleNamespace):
        return {"captcha_key": "", "captcha": ""}
    from lvzhi.portal import captcha

    key = captcha.new_challenge()
    return {"captcha_key": key, "captcha": captcha.answer_for(key)}


def _captcha_image(s):
    """The captcha image's URL: a challenge issued for the request (an unknown key is a 404)."""
    from lvzhi.portal import captcha

    return {"code": s.committee.code, "key": captcha.new_challenge()}


def _public_message_data(s):
    return {
        "category": "urban_rural",
        "title": "小区门口路灯不亮",
        "content": "城关镇幸福小区门口的路灯坏了两个月，晚上出行不便。",
        "name": "张女士",
        "phone": "13912345678",
        **_captcha_answer(s),
    }


def _message_just_sent(client, world):
    """The state after sending a message: the next page shows its query code once."""
    session = client.session
    session["lvzhi_portal_sent"] = {  # lvzhi.portal.views.public_messages.SENT
        "committee": world.own.committee.pk,
        "code": world.own.query_code,
    }
    session.save()


def _suggestion_data(s):
    return {
        "category": "economy",
        "title": "关于扶持县域特色农产品电商的建议",
        "content": "建议设立县级电商服务中心，帮助农户对接平台。",
        "show_name": "on",
    }


def _answer_data(attr):
    return lambda s: {"answer": "县商务局已着手筹建。", "answered_by_unit": "县商务局", **_version(attr)(s)}


def _announcement_data(s):
    return {"kind": "notice", "title": "关于开展委员接待日活动的通知", "body": "第一段。\n\n第二段。"}


def _reply_template_data(s):
    return {"title": "感谢来信", "text": "感谢您的留言，我们已转交有关部门。", "order": "0"}


MESSAGE_QUERY = ("tab", "category", "q")


def _password_accepted(client, world):
    """The state after an administrator's right password: the page then asks for the code."""
    session = client.session
    session["lvzhi_pending_login"] = {  # lvzhi.accounts.views.PENDING_LOGIN
        "user": world.users[Role.SYSADMIN].pk,
        "backend": settings.AUTHENTICATION_BACKENDS[0],
        "at": time.time(),
        "next": "/",
    }
    session.save()


ROUTES = {
    # --- home --------------------------------------------------------------------------------------
    "home:index": Route(ok=ALL),
    # --- core --------------------------------------------------------------------------------------
    "core:audit_log": Route(
        ok=frozenset({Role.AUDITOR}),
        query=("action", "event", "username", "result", "date_from", "date_to", *PAGE),
    ),
    "core:audit_verify": Route(("POST",), ok=frozenset({Role.AUDITOR}), data=lambda s: {}),
    # Verifications are of the whole log, which spans committees: no committee of their own.
    "core:audit_verification": Route(kwargs=_pk("verification"), ok=frozenset({Role.AUDITOR})),
    "set_language": Route(
        ("GET", "POST"),
        public=True,
        ok=ALL,
        query=("next",),
        data=lambda s: {"language": "en", "next": "/"},
        actor=ANONYMOUS,
    ),
    # --- accounts ----------------------------------------------------------------------------------
    "accounts:login": Route(
        ("GET", "POST"),
        public=True,
        ok=ALL,  # a signed-in user is sent on
        query=("next",),
        data=lambda s: {"username": "nobody", "password": "wrong-password"},
        optional=("next",),
        actor=ANONYMOUS,
    ),
    "accounts:logout": Route(("POST",), public=True, ok=ALL, data=lambda s: {}, optional=("next",)),
    "accounts:password_change": Route(
        ("GET", "POST"),
        ok=ALL,
        data=lambda s: {
            "old_password": "Test-pass-2026",
            "new_password1": STRONG_PASSWORD,
            "new_password2": STRONG_PASSWORD,
        },
        actor=Role.MEMBER,
    ),
    "accounts:second_factor": Route(
        ("GET", "POST"),
        public=True,
        ok=ALL,
        data=lambda s: {"code": "123456"},
        actor=ANONYMOUS,
        prepare=_password_accepted,
    ),
    "accounts:second_factor_setup": Route(
        ("GET", "POST"), ok=ALL, data=lambda s: {"code": "123456"}, actor=Role.MEMBER
    ),
    "accounts:lockout_list": Route(ok=frozenset({Role.SECADMIN})),
    "accounts:user_unlock": Route(
        ("POST",), kwargs=_pk("account"), has_object=True, ok=frozenset({Role.SECADMIN}), data=lambda s: {}
    ),
    "accounts:user_list": Route(ok=ACCOUNT_ADMINS, query=("q", "role", *PAGE)),
    "accounts:user_create": Route(
        ("GET", "POST"),
        ok=frozenset({Role.SYSADMIN}),
        data=lambda s: {
            "username": "newuser",
            "display_name": "新用户",
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
        },
        optional=TOKEN,
    ),
    "accounts:user_edit": Route(
        ("GET", "POST"),
        kwargs=_pk("account"),
        has_object=True,
        ok=ACCOUNT_ADMINS,
        ok_post=frozenset({Role.SYSADMIN}),
        data=lambda s: {"display_name": "改名", "is_active": "on"},
        # q: the member picker's search box, which htmx sends to user_member_search
        # department: a handling unit's account names its department
        optional=("units", "member", "unlink_member", "q", "department"),
    ),
    "accounts:user_member_search": Route(
        kwargs=_pk("account"), has_object=True, ok=frozenset({Role.SYSADMIN}), query=("q", "number_typed")
    ),
    "accounts:user_roles": Route(
        ("POST",),
        kwargs=_pk("account"),
        has_object=True,
        ok=frozenset({Role.SECADMIN}),
        data=lambda s: {"roles": [Role.MEMBER.value]},
    ),
    "accounts:user_password": Route(
        ("POST",),
        kwargs=_pk("account"),
        has_object=True,
        ok=frozenset({Role.SYSADMIN}),
        data=lambda s: {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
    ),
    "accounts:user_second_factor_reset": Route(
        ("POST",), kwargs=_pk("account"), has_object=True, ok=frozenset({Role.SYSADMIN}), data=lambda s: {}
    ),
    # Members' accounts in bulk (accounts/onboarding.py). The world sets no policy: only the system
    # administrator may run the batch (office staff only when the security administrator allows it,
    # lvzhi/accounts/tests/test_onboarding_views.py), and it refuses to run without the policy.
    "accounts:member_policy": Route(
        ("GET", "POST"),
        ok=frozenset({Role.SECADMIN}),
        data=lambda s: {"grant_member_role": "on"},
        optional=("office_may_onboard",),
    ),
    "accounts:onboarding": Route(
        ("GET", "POST"), ok=frozenset({Role.SYSADMIN}), data=lambda s: {}, optional=TOKEN
    ),
    "accounts:onboarding_result": Route(
        kwargs=_pk("onboarding_batch"), has_object=True, ok=frozenset({Role.SYSADMIN})
    ),
    "accounts:onboarding_letters": Route(
        kwargs=_pk("onboarding_batch"), has_object=True, ok=frozenset({Role.SYSADMIN})
    ),
    "accounts:onboarding_sms": Route(
        ("POST",),
        kwargs=_pk("onboarding_batch"),
        has_object=True,
        ok=frozenset({Role.SYSADMIN}),
        data=lambda s: {},
    ),
    "accounts:user_activation": Route(kwargs=_pk("account"), has_object=True, ok=frozenset({Role.SYSADMIN})),
    "accounts:user_activation_issue": Route(
        ("POST",), kwargs=_pk("account"), has_object=True, ok=frozenset({Role.SYSADMIN}), data=lambda s: {}
    ),
    "accounts:user_activation_letter": Route(
        kwargs=_pk("account"), has_object=True, ok=frozenset({Role.SYSADMIN})
    ),
    "accounts:user_activation_sms": Route(
        ("POST",), kwargs=_pk("account"), has_object=True, ok=frozenset({Role.SYSADMIN}), data=lambda s: {}
    ),
    "accounts:activate": Route(
        ("GET", "POST"),
        public=True,
        ok=ALL,  # a signed-in user is sent on
        query=("next",),
        data=lambda s: {"login": "nobody", "code": "1234 5678"},
        optional=("next",),
        actor=ANONYMOUS,
    ),
    "accounts:activate_password": Route(
        ("GET", "POST"),
        public=True,
        ok=ALL,  # without a code just accepted, everyone is sent back to the first step
        data=lambda s: {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD},
        actor=ANONYMOUS,
    ),
    # --- activities --------------------------------------------------------------------------------
    "activities:mine": Route(ok=ALL),
    "activities:my_calendar": Route(ok=frozenset({Role.MEMBER})),
    "activities:calendar_reset": Route(("POST",), ok=frozenset({Role.MEMBER}), data=lambda s: {}),
    "activities:calendar_feed": Route(
        kwargs=lambda s: {"token": s.calendar_token},
        has_object=True,
        public=True,
        token_is_credential=True,
        ok=ALL,
        actor=ANONYMOUS,
    ),
    "activities:staff_list": Route(ok=ACTIVITY_VIEWERS, query=("q", "year", "kind", "status", "unit", *PAGE)),
    "activities:new": Route(
        ("GET", "POST"),
        also_as=(Role.UNIT_STAFF,),
        ok=frozenset({Role.OFFICE, Role.UNIT_STAFF}),
        data=_activity_data,
        optional=ACTIVITY_OPTIONAL,
    ),
    "activities:invitee_count": Route(
        ("POST",),
        ok=frozenset({Role.OFFICE, Role.UNIT_STAFF}),
        data=lambda s: {"units": [s.unit.pk], "names": s.member.name},
        optional=("all_members", "standing"),
    ),
    "activities:edit": Route(
        ("GET", "POST"),
        also_as=(Role.UNIT_STAFF,),
        kwargs=_pk("draft"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {**_activity_data(s), "version": s.draft.version},
        optional=ACTIVITY_OPTIONAL,
    ),
    "activities:manage": Route(
        kwargs=_pk("activity"), has_object=True, ok=frozenset({Role.OFFICE, Role.LEADER}), query=("p", "name")
    ),
    "activities:publish": Route(
        ("POST",),
        kwargs=_pk("draft"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"version": s.draft.version},
        optional=("confirm_past",),  # the confirmation page of an activity dated in the past
    ),
    "activities:start": Route(
        ("POST",),
        kwargs=_pk("activity"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"version": s.activity.version},
    ),
    "activities:close": Route(
        ("POST",),
        kwargs=_pk("running"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"version": s.running.version},
        optional=("confirm_absent", "confirm_early"),  # the confirmation pages of closing
    ),
    "activities:cancel": Route(
        ("POST",),
        kwargs=_pk("activity"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"version": s.activity.version, "reason": "改期"},
    ),
    "activities:reopen": Route(
        ("POST",),
        kwargs=_pk("closed"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"version": s.closed.version, "reason": "更正"},
    ),
    "activities:checkin_add": Route(
        ("POST",),
        kwargs=_pk("running"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"name": s.member.name, "reason": "现场签到"},
    ),
    # The members selected on the manage page, checked in together (issue 10, defect 6).
    "activities:checkin_bulk": Route(
        ("POST",),
        kwargs=_pk("running"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"participants": [s.running_participation.pk], "reason": "代为签到"},
    ),
    "activities:checkin_member": Route(
        ("POST",),
        kwargs=_participation("running_participation"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"reason": "代为签到"},
    ),
    "activities:left_early": Route(
        ("POST",),
        kwargs=_participation("present_participation"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"reason": "早退"},
    ),
    "activities:correct": Route(
        ("POST",),
        kwargs=_participation("closed_participation"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"status": "present", "reason": "补登"},
    ),
    "activities:attachment_add": Route(
        ("POST",),
        kwargs=_pk("activity"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {},
        optional=TOKEN,
        files=ATTACHMENT,
    ),
    "activities:attachment": Route(
        kwargs=_pk("attachment"), has_object=True, ok=frozenset({Role.OFFICE, Role.LEADER})
    ),
    "activities:attachment_delete": Route(
        ("POST",), kwargs=_pk("attachment"), has_object=True, ok=OFFICE, data=lambda s: {}
    ),
    "activities:stats": Route(ok=ACTIVITY_VIEWERS, query=("date_from", "date_to", "view", "kinds")),
    "activities:stats_export": Route(ok=ACTIVITY_VIEWERS, query=("date_from", "date_to", "view", "kinds")),
    "activities:standing_report": Route(
        ok=frozenset({Role.OFFICE, Role.LEADER}), query=("mode", "meeting", "date_from", "date_to")
    ),
    "activities:standing_report_docx": Route(
        ok=frozenset({Role.OFFICE, Role.LEADER}), query=("mode", "meeting", "date_from", "date_to")
    ),
    "activities:standing_report_xlsx": Route(
        ok=frozenset({Role.OFFICE, Role.LEADER}), query=("mode", "meeting", "date_from", "date_to")
    ),
    "activities:detail": Route(
        kwargs=_pk("activity"), has_object=True, ok=frozenset({Role.OFFICE, Role.LEADER})
    ),
    "activities:confirm": Route(
        ("POST",),
        kwargs=_pk("activity"),
        has_object=True,
        data=lambda s: {"next": "/activities/mine/"},
        actor=Role.MEMBER,
    ),
    "activities:decline": Route(
        ("POST",),
        kwargs=_pk("activity"),
        has_object=True,
        data=lambda s: {"next": "/activities/mine/"},
        actor=Role.MEMBER,
    ),
    "activities:leave": Route(
        ("POST",),
        kwargs=_pk("activity"),
        has_object=True,
        data=lambda s: {"reason": "出差", "next": "/activities/mine/"},
        actor=Role.MEMBER,
    ),
    "activities:kiosk": Route(kwargs=_pk("activity"), has_object=True, ok=OFFICE),
    "activities:kiosk_code": Route(kwargs=_pk("activity"), has_object=True, ok=OFFICE),
    # A valid code from the kiosk lets any member of the committee check in (walk-ins); without one the
    # page must not show an activity the user may not see (title, time and place of a draft or of
    # another unit's activity).
    "activities:scan": Route(
        ("GET", "POST"),
        kwargs=lambda s: {"pk": s.running.pk, "token": "invalid.token"},
        has_object=True,
        # With a made-up code only those who may see the activity anyway get an answer (GET or POST).
        ok=frozenset({Role.OFFICE, Role.LEADER}),
        data=lambda s: {},
        actor=Role.MEMBER,
    ),
    "activities:leave_requests": Route(ok=frozenset({Role.OFFICE, Role.LEADER}), query=PAGE),
    # Leave from a unit's activity is decided by a leader or the unit's head, not by the office.
    "activities:leave_decide": Route(
        ("POST",),
        kwargs=lambda s: {"pk": s.leave_participation.pk, "decision": "approve"},
        has_object=True,
        ok=frozenset({Role.LEADER}),
        data=lambda s: {"note": "同意"},
    ),
    "activities:speeches": Route(
        ("GET", "POST"),
        kwargs=_pk("activity"),
        has_object=True,
        ok=frozenset({Role.OFFICE, Role.LEADER}),
        ok_post=OFFICE,
        data=lambda s: {"member": s.member.pk, "kind": "oral", "title": "大会发言"},
    ),
    "activities:speech_delete": Route(
        ("POST",),
        kwargs=lambda s: {"pk": s.speech.activity_id, "speech_pk": s.speech.pk},
        has_object=True,
        ok=OFFICE,
        data=lambda s: {},
    ),
    # --- ledger ------------------------------------------------------------------------------------
    "ledger:me": Route(kwargs=lambda s: {"year": s.year}, ok=frozenset({Role.MEMBER})),
    "ledger:member_record": Route(
        kwargs=lambda s: {"member_pk": s.member.pk, "year": s.year}, has_object=True, ok=FILE_READERS
    ),
    "ledger:mine": Route(ok=frozenset({Role.MEMBER})),
    # The duty-record import (ledger.import_records: the office); each side has an import in preview and
    # one imported.
    "ledger:imports": Route(ok=SCORING_STAFF, query=PAGE),
    "ledger:import_new": Route(
        ("POST",), ok=SCORING_STAFF, data=lambda s: {}, files={"file": ("履职记录.xlsx", _duty_file())}
    ),
    "ledger:import_template": Route(ok=SCORING_STAFF),
    "ledger:import_detail": Route(kwargs=_pk("duty_import_preview"), has_object=True, ok=SCORING_STAFF),
    "ledger:import_confirm": Route(
        ("POST",),
        kwargs=_pk("duty_import_preview"),
        has_object=True,
        ok=SCORING_STAFF,
        data=lambda s: {"mode": "valid"},
    ),
    "ledger:import_discard": Route(
        ("POST",), kwargs=_pk("duty_import_preview"), has_object=True, ok=SCORING_STAFF, data=lambda s: {}
    ),
    "ledger:import_undo": Route(
        ("POST",), kwargs=_pk("duty_import_imported"), has_object=True, ok=SCORING_STAFF, data=lambda s: {}
    ),
    # --- library -----------------------------------------------------------------------------------
    "library:list": Route(ok=ALL, query=("q", "category", *PAGE)),
    "library:create": Route(
        ("GET", "POST"),
        ok=OFFICE,
        data=_document_data,
        optional=("version", "initial-published_on", *TOKEN),
        files={"upload": ("规则.pdf", PDF)},
    ),
    "library:detail": Route(kwargs=_pk("document"), has_object=True, ok=STAFF_READERS),
    "library:download": Route(kwargs=_pk("document"), has_object=True, ok=STAFF_READERS),
    "library:edit": Route(
        ("GET", "POST"),
        kwargs=_pk("document"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {**_document_data(s), "version": s.document.version},
        optional=("remove_attachment", "initial-published_on"),
        files={"upload": ("规则.pdf", PDF)},
    ),
    "library:publish": Route(
        ("POST",),
        kwargs=_pk("document"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"version": s.document.version},
    ),
    "library:unpublish": Route(
        ("POST",),
        kwargs=_pk("document"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"version": s.document.version},
    ),
    "library:delete": Route(
        ("POST",),
        kwargs=_pk("document"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"version": s.document.version},
    ),
    # --- members -----------------------------------------------------------------------------------
    "members:list": Route(ok=ORG_VIEWERS, query=(*MEMBER_FILTERS, "order", *PAGE)),
    "members:export": Route(
        ("GET", "POST"),
        ok=ORG_VIEWERS,
        data=lambda s: {"format": "xlsx", "title": "名单", "columns": ["name", "sector"], "order": "stroke"},
        optional=("group_by_sector", "unmask", *MEMBER_FILTERS),
    ),
    "members:create": Route(
        ("GET", "POST"),
        ok=OFFICE,
        data=_member_data,
        optional=(*MEMBER_OPTIONAL, "version", *TOKEN),
        files={"photo": ("p.png", PNG)},
    ),
    "members:import": Route(
        ("GET", "POST"),
        ok=OFFICE,
        query=PAGE,
        data=lambda s: {},
        files={"file": ("名单.xlsx", roster_xlsx())},
    ),
    "members:import_template": Route(ok=OFFICE),
    "members:import_detail": Route(kwargs=_pk("import_job"), has_object=True, ok=OFFICE),
    "members:import_progress": Route(kwargs=_pk("import_job"), has_object=True, ok=OFFICE),
    "members:import_confirm": Route(
        ("POST",), kwargs=_pk("import_job"), has_object=True, ok=OFFICE, data=lambda s: {"mode": "valid"}
    ),
    "members:lookup": Route(("GET", "POST"), ok=OFFICE, data=lambda s: {"number": s.member.phone}),
    "members:me": Route(
        ("GET", "POST"),
        ok=frozenset({Role.MEMBER}),
        data=lambda s: {"phone": "13800001234", "email": "me@example.org", "address": "新地址"},
        optional=TOKEN,
    ),
    "members:contact_requests": Route(ok=OFFICE, query=PAGE),
    "members:contact_request_decide": Route(
        ("POST",),
        kwargs=lambda s: {"pk": s.contact_request.pk, "decision": "approve"},
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"note": "同意"},
    ),
    "members:detail": Route(kwargs=_pk("member"), has_object=True, ok=FILE_READERS),
    "members:edit": Route(
        ("GET", "POST"),
        also_as=(Role.UNIT_STAFF,),
        kwargs=_pk("member"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {**_member_data(s), "name": s.member.name, "version": s.member.version},
        optional=(*MEMBER_OPTIONAL, "photo-clear", *TOKEN),
        files={"photo": ("p.png", PNG)},
    ),
    "members:photo": Route(kwargs=_pk("member"), has_object=True, ok=FILE_READERS),
    "members:history": Route(kwargs=_pk("member"), has_object=True, ok=FILE_READERS, query=PAGE),
    "members:unmask": Route(
        ("POST",),
        kwargs=lambda s: {"pk": s.member.pk, "field": "id_number"},
        has_object=True,
        ok=OFFICE,
        data=lambda s: {},
        shows_personal_data=True,
    ),
    # --- opinions (社情民意) ----------------------------------------------------------------------------
    "opinions:mine": Route(ok=ALL, query=PAGE),
    "opinions:new": Route(
        ("GET", "POST"),
        also_as=(Role.UNIT_STAFF,),
        ok=WRITERS,
        data=_report_data,
        optional=(*WRITE_PAGE, "version"),
    ),
    "opinions:autosave_new": Route(
        ("POST",), also_as=(Role.UNIT_STAFF,), ok=WRITERS, data=_report_data, optional=("unit", "version")
    ),
    "opinions:co_author_search": Route(ok=WRITERS, query=("q", "pick")),
    # The office types in a member's paper report (opinions.record_paper_report).
    "opinions:paper_new": Route(
        ("GET", "POST"),
        ok=OFFICE,
        data=lambda s: {**_report_data(s), "member": s.member.pk},
        optional=("q",),
    ),
    # Opened by an editor, so that the forms of the editors' steps are compared with the table too.
    "opinions:detail": Route(
        kwargs=_pk("opinion_submitted"), has_object=True, ok=REPORT_READERS, actor=Role.EDITOR
    ),
    # The author's own steps: nobody else may take them on someone else's report.
    "opinions:edit": Route(
        ("GET", "POST"),
        kwargs=_pk("opinion_draft"),
        has_object=True,
        data=lambda s: {**_report_data(s), **_version("opinion_draft")(s)},
        optional=WRITE_PAGE,
        actor=Role.MEMBER,
    ),
    "opinions:autosave": Route(
        ("POST",),
        kwargs=_pk("opinion_draft"),
        has_object=True,
        data=lambda s: {**_report_data(s), **_version("opinion_draft")(s)},
        optional=("unit",),
        actor=Role.MEMBER,
    ),
    "opinions:submit": Route(
        ("POST",),
        kwargs=_pk("opinion_draft"),
        has_object=True,
        data=_version("opinion_draft"),
        actor=Role.MEMBER,
    ),
    # Editors change a submitted report's attachments; everyone who sees the report downloads them.
    "opinions:attachment_add": Route(
        ("POST",),
        kwargs=_pk("opinion_submitted"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {},
        optional=("next",),
        files=ATTACHMENT,
    ),
    "opinions:attachment": Route(
        kwargs=lambda s: {"pk": s.opinion_submitted.pk, "file_pk": s.opinion_attachment.pk},
        has_object=True,
        ok=REPORT_READERS,
    ),
    "opinions:attachment_delete": Route(
        ("POST",),
        kwargs=lambda s: {"pk": s.opinion_submitted.pk, "file_pk": s.opinion_attachment.pk},
        has_object=True,
        ok=EDITOR,
        data=lambda s: {},
        optional=("next",),
    ),
    "opinions:register": Route(
        ("POST",),
        kwargs=_pk("opinion_submitted"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {"category": s.category.pk, "source": "member", **_version("opinion_submitted")(s)},
    ),
    "opinions:assign_verifier": Route(
        ("POST",),
        kwargs=_pk("opinion_registered"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {"verifier": s.verifier.pk, **_version("opinion_registered")(s)},
    ),
    "opinions:findings": Route(
        ("POST",),
        kwargs=_pk("opinion_verifying"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {"findings": "属实", **_version("opinion_verifying")(s)},
    ),
    "opinions:start_editing": Route(
        ("POST",),
        kwargs=_pk("opinion_registered"),
        has_object=True,
        ok=EDITOR,
        data=_version("opinion_registered"),
    ),
    "opinions:edit_text": Route(
        ("GET", "POST"),
        kwargs=_pk("opinion_editing"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {
            "edited_title": "改后标题",
            "edited_body": "改后正文",
            **_version("opinion_editing")(s),
        },
    ),
    "opinions:send_for_signoff": Route(
        ("POST",), kwargs=_pk("opinion_editing"), has_object=True, ok=EDITOR, data=_version("opinion_editing")
    ),
    "opinions:sign": Route(
        ("POST",),
        kwargs=_pk("opinion_awaiting"),
        has_object=True,
        ok=LEADER,
        data=_version("opinion_awaiting"),
    ),
    "opinions:send_back": Route(
        ("POST",),
        kwargs=_pk("opinion_awaiting"),
        has_object=True,
        ok=LEADER,
        data=lambda s: {"reason": "请补充数据", **_version("opinion_awaiting")(s)},
    ),
    "opinions:return": Route(
        ("POST",),
        kwargs=_pk("opinion_submitted"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {"reason": "请补充", **_version("opinion_submitted")(s)},
    ),
    "opinions:not_adopt": Route(
        ("POST",),
        kwargs=_pk("opinion_submitted"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {"reason": "重复", **_version("opinion_submitted")(s)},
    ),
    "opinions:merge": Route(
        ("POST",),
        kwargs=_pk("opinion_submitted"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {
            "into": s.opinion_registered.pk,
            "reason": "重复",
            **_version("opinion_submitted")(s),
        },
    ),
    "opinions:report_directly": Route(
        ("POST",),
        kwargs=_pk("opinion_signed"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {"reported_on": "2026-04-01", "recipients": ["市政协"], "other": "县委办"},
    ),
    "opinions:archive": Route(
        ("POST",),
        kwargs=_pk("opinion_reported"),
        has_object=True,
        ok=EDITOR,
        data=_version("opinion_reported"),
    ),
    "opinions:work": Route(ok=REPORT_READERS, query=("queue", "overdue", *PAGE)),
    "opinions:settings": Route(
        ("GET", "POST"),
        ok=EDITOR,
        data=lambda s: {
            "body_limit": "1500",
            **{f"days_{status}": "5" for status in ("submitted", "registered", "verifying", "editing")},
            "days_awaiting_signoff": "3",
            "days_signed": "7",
        },
    ),
    "opinions:category_change": Route(
        ("POST",), ok=EDITOR, data=lambda s: {"action": "add", "name": "新类别"}, optional=("category",)
    ),
    "opinions:bulletins": Route(ok=REPORT_READERS, query=PAGE),
    "opinions:bulletin_new": Route(
        ("GET", "POST"),
        ok=EDITOR,
        data=lambda s: {"year": str(s.year), "title": "专报", "recipients": "县委主要领导"},
        optional=TOKEN,
    ),
    "opinions:bulletin": Route(kwargs=_pk("bulletin"), has_object=True, ok=REPORT_READERS, actor=Role.EDITOR),
    "opinions:bulletin_edit": Route(
        ("POST",),
        kwargs=_pk("bulletin"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {"title": "改名", "recipients": "县委", **_version("bulletin")(s)},
    ),
    "opinions:bulletin_add": Route(
        ("POST",),
        kwargs=_pk("bulletin"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {"reports": [s.opinion_signed.pk], **_version("bulletin")(s)},
    ),
    "opinions:bulletin_remove": Route(
        ("POST",),
        kwargs=lambda s: {"pk": s.bulletin.pk, "rpk": s.bulletined.pk},
        has_object=True,
        ok=EDITOR,
        data=_version("bulletin"),
    ),
    "opinions:bulletin_move": Route(
        ("POST",),
        kwargs=lambda s: {"pk": s.bulletin.pk, "rpk": s.bulletined.pk},
        has_object=True,
        ok=EDITOR,
        data=lambda s: {"direction": "up", **_version("bulletin")(s)},
    ),
    # The first POST asks for the confirmation, the one with `confirm_send` sends.
    "opinions:bulletin_send": Route(
        ("POST",),
        kwargs=_pk("bulletin"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {"sent_on": "2026-04-01", "confirm_send": "1", **_version("bulletin")(s)},
    ),
    "opinions:bulletin_download": Route(kwargs=_pk("sent_bulletin"), has_object=True, ok=REPORT_READERS),
    "opinions:adoption_add": Route(
        ("POST",),
        kwargs=_pk("opinion_reported"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {
            "adoption-level": "city",
            "adoption-form": "single",
            "adoption-adopted_by": "市政协",
            "adoption-adopted_on": "2026-04-01",
            "adoption-note": "采用",
        },
    ),
    "opinions:adoption_delete": Route(
        ("POST",), kwargs=_pk("adoption"), has_object=True, ok=EDITOR, data=lambda s: {"confirm_delete": "1"}
    ),
    "opinions:instruction_add": Route(
        ("POST",),
        kwargs=_pk("opinion_reported"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {
            "instruction-level": "county",
            "instruction-leader_post": "县长",
            "instruction-text": "请研究",
            "instruction-instructed_on": "2026-04-01",
        },
    ),
    "opinions:instruction_delete": Route(
        ("POST",),
        kwargs=_pk("instruction"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {"confirm_delete": "1"},
    ),
    "opinions:transfer_add": Route(
        ("POST",),
        kwargs=_pk("opinion_reported"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {
            "transfer-department": s.department.pk,
            "transfer-transferred_on": "2026-04-01",
            "transfer-note": "请办理",
        },
    ),
    # The handling unit's account sees the transfers to its own department only.
    "opinions:transfers": Route(
        ok=REPORT_READERS | {Role.HANDLING_UNIT}, query=("status", *PAGE), actor=Role.HANDLING_UNIT
    ),
    "opinions:transfer": Route(kwargs=_pk("transfer"), has_object=True, ok=REPORT_READERS, actor=Role.EDITOR),
    "opinions:transfer_sign": Route(
        ("POST",), kwargs=_pk("transfer"), has_object=True, data=lambda s: {}, actor=Role.HANDLING_UNIT
    ),
    "opinions:transfer_reply": Route(
        ("POST",),
        kwargs=_pk("transfer"),
        has_object=True,
        data=lambda s: {"reply": "已办理"},
        files={"document": ("答复.pdf", PDF)},
        actor=Role.HANDLING_UNIT,
    ),
    "opinions:transfer_paper_reply": Route(
        ("POST",),
        kwargs=_pk("transfer"),
        has_object=True,
        ok=EDITOR,
        data=lambda s: {"paper-replied_on": "2026-04-01", "paper-reply": "纸质答复"},
        files={"paper-document": ("答复.pdf", PDF)},
    ),
    "opinions:transfer_document": Route(kwargs=_pk("replied_transfer"), has_object=True, ok=REPORT_READERS),
    "opinions:officers": Route(ok=REPORT_READERS, query=("year",)),
    "opinions:officers_export": Route(ok=REPORT_READERS, query=("year",)),
    "opinions:officers_copy": Route(
        ("POST",), ok=OFFICER_MANAGERS, data=lambda s: {"from_year": str(s.year), "to_year": str(NEXT_YEAR)}
    ),
    "opinions:officer_new_member": Route(
        ("GET", "POST"),
        ok=OFFICER_MANAGERS,
        query=("year",),
        data=lambda s: {**_officer_data(s), "member": s.second_member.pk},
        optional=("q",),
    ),
    "opinions:officer_member_search": Route(ok=OFFICER_MANAGERS, query=("q",)),
    "opinions:officer_new_person": Route(
        ("GET", "POST"),
        ok=OFFICER_MANAGERS,
        query=("year",),
        data=lambda s: {**_officer_data(s), "name": "新信息员", "workplace": "县融媒体中心", "mobile": ""},
        optional=("open_account",),
    ),
    "opinions:officer": Route(kwargs=_pk("officer"), has_object=True, ok=REPORT_READERS),
    "opinions:officer_quota": Route(
        ("POST",), kwargs=_pk("officer"), has_object=True, ok=OFFICER_MANAGERS, data=lambda s: {"quota": "6"}
    ),
    "opinions:officer_end": Route(
        ("POST",),
        kwargs=_pk("officer"),
        has_object=True,
        ok=OFFICER_MANAGERS,
        data=lambda s: {"ended_on": f"{s.year}-06-30"},
    ),
    # Accounts and codes of officers are given out as members' are: only with the onboarding policy
    # (which the world does not set) by those who may onboard (accounts.onboarding.may_onboard).
    "opinions:officer_account": Route(
        ("POST",),
        kwargs=_pk("officer_without_account"),
        has_object=True,
        data=lambda s: {},
        actor=Role.OFFICE,
    ),
    "opinions:officer_code": Route(
        ("POST",), kwargs=_pk("officer"), has_object=True, data=lambda s: {}, actor=Role.OFFICE
    ),
    "opinions:officer_letter": Route(kwargs=_pk("officer"), has_object=True, actor=Role.OFFICE),
    "opinions:stats": Route(ok=REPORT_READERS, query=("year",)),
    "opinions:stats_export": Route(ok=REPORT_READERS, query=("year",)),
    "opinions:search": Route(ok=REPORT_READERS | WRITERS, query=("q", "status", *PAGE)),
    # Inspections: members hand in suggestions for the activities they are invited to; staff compile the
    # report of their scope (the office every activity, unit staff their units').
    "opinions:my_suggestions": Route(ok=frozenset({Role.MEMBER})),
    "opinions:activity_suggestions": Route(kwargs=_pk("inspection"), has_object=True, actor=Role.MEMBER),
    "opinions:suggestion_hand_in": Route(
        ("POST",),
        kwargs=_pk("inspection"),
        has_object=True,
        data=lambda s: {"findings": "发现", "text": "建议"},
        optional=TOKEN,
        actor=Role.MEMBER,
    ),
    "opinions:suggestion_edit": Route(
        ("GET", "POST"),
        kwargs=_pk("suggestion"),
        has_object=True,
        data=lambda s: {"findings": "发现", "text": "改后建议", **_version("suggestion")(s)},
        actor=Role.MEMBER,
    ),
    "opinions:suggestion_withdraw": Route(
        ("POST",), kwargs=_pk("suggestion"), has_object=True, data=lambda s: {}, actor=Role.MEMBER
    ),
    "opinions:suggestion_to_report": Route(
        ("POST",), kwargs=_pk("suggestion"), has_object=True, ok=OFFICE, data=lambda s: {}
    ),
    "opinions:suggestion_adopted": Route(
        ("POST",), kwargs=_pk("suggestion"), has_object=True, ok=OFFICE, data=lambda s: {"adopted": "1"}
    ),
    "opinions:inspections": Route(ok=INSPECTION_VIEWERS, query=PAGE),
    "opinions:inspection": Route(kwargs=_pk("inspection"), has_object=True, ok=REPORT_READERS),
    "opinions:inspection_report_save": Route(
        ("POST",),
        also_as=(Role.UNIT_STAFF,),
        kwargs=_pk("inspection"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {
            "title": "视察报告",
            "body": "正文",
            "shown": [s.suggestion.pk],
            "listed": [s.suggestion.pk],
            **_version("inspection_report")(s),
        },
    ),
    "opinions:inspection_report_send": Route(
        ("POST",),
        also_as=(Role.UNIT_STAFF,),
        kwargs=_pk("inspection"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {
            "departments": [s.department.pk],
            "note": "请办理",
            **_version("inspection_report")(s),
        },
        optional=TOKEN,
    ),
    "opinions:inspection_report_docx": Route(kwargs=_pk("inspection"), has_object=True, ok=REPORT_READERS),
    # The paper reply's fields carry the transfer's number (one form per transfer on the page).
    "opinions:inspection_paper_reply": Route(
        ("POST",),
        kwargs=lambda s: {"pk": s.sent_inspection.pk, "transfer_pk": s.inspection_transfer.pk},
        has_object=True,
        ok=OFFICE,
        data=lambda s: {
            f"{_paper_prefix(s)}-replied_on": "2026-04-01",
            f"{_paper_prefix(s)}-reply": "纸质答复",
        },
    ),
    # --- the public site: reading pages (anyone, published rows of the committee in the address) -----
    "public:root": Route(public=True, ok=ALL, actor=ANONYMOUS),
    "public:home": Route(kwargs=_public(), public=True, ok=ALL, actor=ANONYMOUS),
    "public:announcements": Route(
        kwargs=_public(), public=True, ok=ALL, query=("kind", *PAGE), actor=ANONYMOUS
    ),
    "public:announcement": Route(
        kwargs=_public("announcement_published"), has_object=True, public=True, ok=ALL, actor=ANONYMOUS
    ),
    "public:suggestions": Route(
        kwargs=_public(), public=True, ok=ALL, query=("category", *PAGE), actor=ANONYMOUS
    ),
    "public:suggestion": Route(
        kwargs=_public("member_suggestion_published"), has_object=True, public=True, ok=ALL, actor=ANONYMOUS
    ),
    "public:messages": Route(
        kwargs=_public(), public=True, ok=ALL, query=("category", *PAGE), actor=ANONYMOUS
    ),
    "public:message": Route(
        kwargs=_public("message_published"), has_object=True, public=True, ok=ALL, actor=ANONYMOUS
    ),
    # The reader's display choices (cookies), back to the page they were on.
    "public:display": Route(
        ("POST",),
        kwargs=_public(),
        public=True,
        ok=ALL,
        data=lambda s: {"text": "large", "contrast": "high", "next": f"/public/{s.committee.code}/"},
        actor=ANONYMOUS,
    ),
    "public:api_messages": Route(kwargs=_public(), public=True, ok=ALL, actor=ANONYMOUS),
    "public:api_suggestions": Route(kwargs=_public(), public=True, ok=ALL, actor=ANONYMOUS),
    # --- the public site: a message and its query code. Sending and looking up are rate-limited per
    # address; the root conftest gives every test counters of its own, so the walk's one or two POSTs a
    # test never reach the limit (test_portal_public.py checks the limits themselves).
    "public:message_new": Route(
        ("GET", "POST"),
        kwargs=_public(),
        public=True,
        ok=ALL,
        data=_public_message_data,
        optional=("new_captcha",),  # the "New image" button: the same form with a new captcha
        actor=ANONYMOUS,
    ),
    "public:message_sent": Route(
        kwargs=_public(), public=True, ok=ALL, actor=ANONYMOUS, prepare=_message_just_sent
    ),
    # The query code is the credential: it shows that one message (its status and reply), never a phone.
    "public:lookup": Route(
        ("GET", "POST"),
        kwargs=_public(),
        public=True,
        ok=ALL,
        data=lambda s: {"code": s.query_code},
        actor=ANONYMOUS,
    ),
    "public:captcha": Route(kwargs=_captcha_image, public=True, ok=ALL, actor=ANONYMOUS),
    # --- the office's moderation of public messages (portal.moderate_publicmessage). Both sides of the
    # home committee are the office's; the writer's telephone is shown masked but by the audited
    # message_phone.
    "portal:moderation": Route(ok=OFFICE, query=(*MESSAGE_QUERY, *PAGE)),
    "portal:message_export": Route(ok=OFFICE, query=MESSAGE_QUERY),
    # A message held by a sensitive word: its page has every form (publish with words_checked).
    # `template`: the reply template picked (a GET form of its own, without JavaScript).
    "portal:message_detail": Route(
        kwargs=_pk("message_held"), has_object=True, ok=OFFICE, query=("template",)
    ),
    "portal:message_publish": Route(
        ("POST",),
        kwargs=_pk("message_received"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"reply": "已转交城关镇人民政府处理。", **_version("message_received")(s)},
        # words_checked: the box of a held message; template: the template picker inside the form
        optional=("words_checked", "template"),
    ),
    "portal:message_answer": Route(
        ("POST",),
        kwargs=_pk("message_received"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"reply": "您反映的问题已转交有关部门。", **_version("message_received")(s)},
    ),
    "portal:message_hide": Route(
        ("POST",),
        kwargs=_pk("message_received"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"hide_reason": "广告", **_version("message_received")(s)},
    ),
    "portal:message_restore": Route(
        ("POST",), kwargs=_pk("message_hidden"), has_object=True, ok=OFFICE, data=_version("message_hidden")
    ),
    "portal:message_convert": Route(
        ("POST",),
        kwargs=_pk("message_received"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {
            "report_title": "关于幸福小区路灯的情况反映",
            "report_body": "群众反映路灯损坏两个月。",
            **_version("message_received")(s),
        },
        optional=("include_contact",),
    ),
    "portal:message_phone": Route(
        ("POST",),
        kwargs=_pk("message_received"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {},
        shows_personal_data=True,
    ),
    "portal:reply_templates": Route(ok=OFFICE),
    "portal:reply_template_new": Route(("GET", "POST"), ok=OFFICE, data=_reply_template_data, optional=TOKEN),
    "portal:reply_template_edit": Route(
        ("GET", "POST"), kwargs=_pk("reply_template"), has_object=True, ok=OFFICE, data=_reply_template_data
    ),
    "portal:reply_template_delete": Route(
        ("POST",), kwargs=_pk("reply_template"), has_object=True, ok=OFFICE, data=lambda s: {}
    ),
    "portal:settings": Route(
        ("GET", "POST"),
        ok=OFFICE,
        data=lambda s: {
            "accepting_messages": "on",
            "sensitive_words": "赌博\n诈骗",
            "overdue_days": "5",
            "office_phone": "0551-65120000",
            **_version("portal_settings")(s),
        },
    ),
    # --- members' suggestions (委员建言): a member's own (nobody else's, whatever the role); the office
    # reviews every suggestion of the committee that was handed in.
    "portal:my_suggestions": Route(ok=frozenset({Role.MEMBER})),
    "portal:suggestion_new": Route(
        ("GET", "POST"), ok=frozenset({Role.MEMBER}), data=_suggestion_data, optional=TOKEN
    ),
    "portal:suggestion_detail": Route(kwargs=_pk("member_suggestion_submitted"), has_object=True, ok=OFFICE),
    "portal:suggestion_edit": Route(
        ("GET", "POST"),
        kwargs=_pk("member_suggestion_draft"),
        has_object=True,
        data=lambda s: {**_suggestion_data(s), **_version("member_suggestion_draft")(s)},
        actor=Role.MEMBER,
    ),
    "portal:suggestion_submit": Route(
        ("POST",),
        kwargs=_pk("member_suggestion_draft"),
        has_object=True,
        data=_version("member_suggestion_draft"),
        actor=Role.MEMBER,
    ),
    "portal:suggestion_delete": Route(
        ("POST",),
        kwargs=_pk("member_suggestion_draft"),
        has_object=True,
        data=_version("member_suggestion_draft"),
        actor=Role.MEMBER,
    ),
    "portal:suggestion_queue": Route(ok=OFFICE, query=("tab", *PAGE)),
    "portal:suggestion_publish": Route(
        ("POST",),
        kwargs=_pk("member_suggestion_submitted"),
        has_object=True,
        ok=OFFICE,
        data=_answer_data("member_suggestion_submitted"),
    ),
    "portal:suggestion_return": Route(
        ("POST",),
        kwargs=_pk("member_suggestion_submitted"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"return_reason": "请补充数据", **_version("member_suggestion_submitted")(s)},
    ),
    "portal:suggestion_withdraw": Route(
        ("POST",),
        kwargs=_pk("member_suggestion_published"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"withdraw_reason": "内容重复", **_version("member_suggestion_published")(s)},
    ),
    "portal:suggestion_answer": Route(
        ("POST",),
        kwargs=_pk("member_suggestion_published"),
        has_object=True,
        ok=OFFICE,
        data=_answer_data("member_suggestion_published"),
    ),
    # --- announcements (通知公告, 工作动态): the office's (portal.add_/change_announcement) ---------------
    "portal:announcements": Route(ok=OFFICE, query=PAGE),
    "portal:announcement_new": Route(
        ("GET", "POST"), ok=OFFICE, data=_announcement_data, optional=("version", *TOKEN)
    ),
    "portal:announcement_edit": Route(
        ("GET", "POST"),
        kwargs=_pk("announcement_draft"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {**_announcement_data(s), **_version("announcement_draft")(s)},
    ),
    "portal:announcement_publish": Route(
        ("POST",),
        kwargs=_pk("announcement_draft"),
        has_object=True,
        ok=OFFICE,
        data=_version("announcement_draft"),
    ),
    "portal:announcement_withdraw": Route(
        ("POST",),
        kwargs=_pk("announcement_published"),
        has_object=True,
        ok=OFFICE,
        data=_version("announcement_published"),
    ),
    # --- proposals (提案) ---------------------------------------------------------------------------
    "proposals:detail": Route(kwargs=_pk("proposal_submitted"), has_object=True, ok=PROPOSAL_READERS),
    # A: filing. The first proposer's steps are theirs alone; the co-signer's answer the invited
    # member's; unit staff file too (a collective proposal of their unit).
    "proposals:mine": Route(ok=ALL, query=PAGE, actor=Role.MEMBER),
    "proposals:new": Route(
        ("GET", "POST"),
        also_as=(Role.UNIT_STAFF,),
        ok=PROPOSERS,
        data=_proposal_data,
        optional=PROPOSAL_WRITE_PAGE,
    ),
    "proposals:edit": Route(
        ("GET", "POST"),
        kwargs=_pk("proposal_draft"),
        has_object=True,
        data=lambda s: {**_proposal_data(s), **_proposal_version("proposal_draft")(s)},
        optional=PROPOSAL_WRITE_PAGE,
        actor=Role.MEMBER,
    ),
    "proposals:submit": Route(
        ("POST",),
        kwargs=_pk("proposal_draft"),
        has_object=True,
        data=_proposal_version("proposal_draft"),
        actor=Role.MEMBER,
    ),
    "proposals:cosign": Route(
        ("POST",),
        kwargs=_pk("proposal_cosigning"),
        has_object=True,
        data=lambda s: {"answer": "confirm"},
        optional=("next",),
        actor=Role.MEMBER,
    ),
    "proposals:attachment_add": Route(
        ("POST",),
        kwargs=_pk("proposal_draft"),
        has_object=True,
        data=lambda s: {},
        optional=("next",),
        files=ATTACHMENT,
        actor=Role.MEMBER,
    ),
    "proposals:attachment_delete": Route(
        ("POST",),
        kwargs=lambda s: {"pk": s.proposal_draft.pk, "file_pk": s.proposal_attachment.pk},
        has_object=True,
        data=lambda s: {},
        optional=("next",),
        actor=Role.MEMBER,
    ),
    "proposals:attachment": Route(
        kwargs=lambda s: {"pk": s.proposal_submitted.pk, "file_pk": s.proposal_submitted_attachment.pk},
        has_object=True,
        ok=PROPOSAL_READERS,
    ),
    # The member's own suggestion, or (proposal staff) any member's, in the member's name.
    "proposals:from_suggestion": Route(
        ("POST",),
        kwargs=lambda s: {"suggestion_pk": s.suggestion.pk},
        has_object=True,
        ok=PROPOSAL_STAFF,
        data=lambda s: {},
    ),
    "proposals:member_search": Route(ok=PROPOSERS, query=("q", "field")),
    # The proposal office types in a member's paper proposal (submitted at once in the member's name).
    "proposals:paper_new": Route(
        ("GET", "POST"),
        ok=PROPOSAL_STAFF,
        data=lambda s: {**_proposal_data(s), "lead_member": s.member.pk},
        optional=PROPOSAL_WRITE_PAGE,
    ),
    "proposals:paper_member_search": Route(ok=PROPOSAL_STAFF, query=("q", "field")),
    "proposals:work": Route(ok=PROPOSAL_READERS, query=("tab", "session", "category", *PAGE)),
    # A unit's account sees its own list; staff and leaders the units' overview and any unit's list.
    "proposals:unit": Route(ok=HANDLING_UNIT | PROPOSAL_READERS, query=("department", *PAGE)),
    # B: review (staff, never on a proposal they are a proposer of).
    "proposals:accept": Route(
        ("POST",),
        kwargs=_pk("proposal_submitted"),
        has_object=True,
        ok=PROPOSAL_STAFF,
        data=lambda s: {"category": s.proposal_category.pk, **_proposal_version("proposal_submitted")(s)},
    ),
    "proposals:merge": Route(
        ("POST",),
        kwargs=_pk("proposal_submitted"),
        has_object=True,
        ok=PROPOSAL_STAFF,
        data=lambda s: {"proposals": [s.proposal_submitted_other.pk], "category": s.proposal_category.pk},
    ),
    "proposals:convert": Route(
        ("POST",),
        kwargs=_pk("proposal_submitted"),
        has_object=True,
        ok=PROPOSAL_STAFF,
        data=lambda s: {
            "to": "letter",
            "department": s.department.pk,
            "note": "转为建议函",
            **_proposal_version("proposal_submitted")(s),
        },
    ),
    "proposals:reject": Route(
        ("POST",),
        kwargs=_pk("proposal_submitted"),
        has_object=True,
        ok=PROPOSAL_STAFF,
        data=lambda s: {
            "reason": s.rejection_reason.pk,
            "note": "不立案说明",
            **_proposal_version("proposal_submitted")(s),
        },
    ),
    "proposals:key": Route(
        ("POST",),
        kwargs=_pk("proposal_accepted"),
        has_object=True,
        ok=PROPOSAL_STAFF,
        data=lambda s: {"key": "on", "leader": s.proposal_leader.pk},
    ),
    "proposals:excellent": Route(
        ("POST",),
        kwargs=_pk("proposal_closed"),
        has_object=True,
        ok=PROPOSAL_STAFF,
        data=lambda s: {"excellent": "on"},
    ),
    "proposals:supervise": Route(
        ("POST",),
        kwargs=_pk("proposal_handling"),
        has_object=True,
        ok=PROPOSAL_STAFF,
        data=lambda s: {"date": f"{s.year}-04-01", "note": "督办"},
    ),
    "proposals:close": Route(
        ("POST",),
        kwargs=_pk("proposal_evaluated"),
        has_object=True,
        ok=PROPOSAL_STAFF,
        data=lambda s: {"note": "办结", **_proposal_version("proposal_evaluated")(s)},
    ),
    # B: assignment. The unit's steps are its own department's only.
    "proposals:assign": Route(
        ("POST",),
        kwargs=_pk("proposal_accepted"),
        has_object=True,
        ok=PROPOSAL_STAFF,
        data=lambda s: {
            "lead": s.department.pk,
            "co_units": [s.co_department.pk],
            "deadline": f"{NEXT_YEAR}-03-01",
            **_proposal_version("proposal_accepted")(s),
        },
    ),
    # 批量交办: the accepted proposals of the committee on one page; each row's values name their proposal
    # ("<proposal>:<department>"), so the fields are the same whatever the rows.
    "proposals:assign_batch": Route(
        ("GET", "POST"),
        ok=PROPOSAL_STAFF,
        query=("session", "category", *PAGE),
        data=lambda s: {
            "row": [f"{s.proposal_accepted.pk}:{s.proposal_accepted.version}"],
            "assign": [s.proposal_accepted.pk],
            "lead": [f"{s.proposal_accepted.pk}:{s.department.pk}"],
            "co_units": [f"{s.proposal_accepted.pk}:{s.co_department.pk}"],
            "deadline": f"{NEXT_YEAR}-03-01",
        },
    ),
    "proposals:sign_for": Route(
        ("POST",),
        kwargs=lambda s: {"assignment_pk": s.assignment.pk},
        has_object=True,
        data=lambda s: {},
        actor=Role.HANDLING_UNIT,
    ),
    "proposals:request_return": Route(
        ("POST",),
        kwargs=lambda s: {"assignment_pk": s.assignment.pk},
        has_object=True,
        data=lambda s: {"reason": "不属本单位职责"},
        actor=Role.HANDLING_UNIT,
    ),
    "proposals:decide_return": Route(
        ("POST",),
        kwargs=lambda s: {"assignment_pk": s.return_requested_assignment.pk},
        has_object=True,
        ok=PROPOSAL_STAFF,
        data=lambda s: {"decision": "refuse", "answer": "属于贵单位职责"},
    ),
    # C: handling. Contacts, views, the reply are the unit's own; the paper reply the staff's; the
    # evaluation the first proposer's.
    "proposals:contact": Route(
        ("POST",),
        kwargs=lambda s: {"assignment_pk": s.handling_assignment.pk},
        has_object=True,
        data=lambda s: {
            "contact-date": PROPOSAL_TODAY,
            "contact-way": "phone",
            "contact-note": "电话沟通",
        },
        actor=Role.HANDLING_UNIT,
    ),
    "proposals:views": Route(
        ("POST",),
        kwargs=lambda s: {"assignment_pk": s.co_assignment.pk},
        has_object=True,
        data=lambda s: {"views-views": "协办意见"},
        actor=Role.HANDLING_UNIT,
    ),
    "proposals:reply": Route(
        ("POST",),
        kwargs=_pk("proposal_handling"),
        has_object=True,
        data=lambda s: {"reply-result": "B", "reply-text": "正在解决"},
        files={"reply-document": ("答复.pdf", PDF)},
        actor=Role.HANDLING_UNIT,
    ),
    "proposals:send_reply": Route(
        ("POST",),
        kwargs=_pk("proposal_handling"),
        has_object=True,
        data=lambda s: {},
        actor=Role.HANDLING_UNIT,
    ),
    "proposals:paper_reply": Route(
        ("POST",),
        kwargs=_pk("proposal_handling"),
        has_object=True,
        ok=PROPOSAL_STAFF,
        data=lambda s: {"paper-replied_on": PROPOSAL_TODAY, "paper-result": "A", "paper-text": "纸质答复"},
        files={"paper-document": ("答复.pdf", PDF)},
    ),
    "proposals:evaluate": Route(
        ("POST",),
        kwargs=_pk("proposal_replied"),
        has_object=True,
        data=lambda s: {"evaluation-rating": "basic", "evaluation-comments": "基本满意"},
        actor=Role.MEMBER,
    ),
    "proposals:reply_document": Route(
        kwargs=lambda s: {"pk": s.proposal_replied.pk, "reply_pk": s.reply.pk},
        has_object=True,
        ok=PROPOSAL_READERS,
    ),
    # The Word letter of a proposal converted to a letter to a department (proposal staff and leaders).
    "proposals:letter": Route(kwargs=_pk("proposal_letter"), has_object=True, ok=PROPOSAL_READERS),
    # D: statistics and the session's documents (a session of another committee is refused).
    "proposals:stats": Route(ok=PROPOSAL_READERS, query=("session",)),
    "proposals:stats_export": Route(ok=PROPOSAL_READERS, query=("session",)),
    "proposals:catalogue": Route(ok=PROPOSAL_READERS, query=("session",)),
    "proposals:handling_report": Route(ok=PROPOSAL_READERS, query=("session",)),
    "proposals:settings": Route(
        ("GET", "POST"),
        ok=PROPOSAL_STAFF,
        data=lambda s: {"body_limit": "3000", "cosign_days": "7", "return_days": "10", "remind_days": "15"},
    ),
    "proposals:settings_category": Route(
        ("POST",), ok=PROPOSAL_STAFF, data=lambda s: {"action": "add", "name": "新类别"}, optional=("item",)
    ),
    "proposals:settings_reason": Route(
        ("POST",), ok=PROPOSAL_STAFF, data=lambda s: {"action": "add", "text": "新理由"}, optional=("item",)
    ),
    # Sessions are the committee's (the other side shares the own side's): another committee's is refused.
    "proposals:settings_session": Route(
        ("POST",),
        kwargs=_pk("session"),
        has_object=True,
        ok=PROPOSAL_STAFF,
        data=lambda s: {"handling_months": "3"},
    ),
    # --- duty assessment (考核) ---------------------------------------------------------------------
    # R: rule sets (scoring.manage_rules). A draft version is the office's only; the ACTIVE version's
    # table any user of the committee may read (members follow it from their score), also my_rules.
    "scoring:rules": Route(ok=SCORING_STAFF, query=("year",)),
    "scoring:rule_new": Route(
        ("GET", "POST"),
        ok=SCORING_STAFF,
        query=("from", "year"),
        data=lambda s: {"year": str(s.year), "text": _default_rules().replace("默认模板", "新版本")},
    ),
    "scoring:compute": Route(("POST",), ok=SCORING_STAFF, data=lambda s: {"year": str(s.year)}),
    "scoring:rule_detail": Route(kwargs=_pk("rule_set_draft"), has_object=True, ok=SCORING_STAFF),
    "scoring:rule_edit": Route(
        ("GET", "POST"),
        kwargs=_pk("rule_set_draft"),
        has_object=True,
        ok=SCORING_STAFF,
        data=lambda s: {"text": _default_rules().replace("默认模板", "修改稿")},
    ),
    "scoring:rule_values": Route(
        ("GET", "POST"),
        kwargs=_pk("rule_set_draft"),
        has_object=True,
        ok=SCORING_STAFF,
        data=lambda s: _rule_values(),
    ),
    "scoring:rule_preview": Route(kwargs=_pk("rule_set_draft"), has_object=True, ok=SCORING_STAFF),
    "scoring:rule_activate": Route(
        ("GET", "POST"), kwargs=_pk("rule_set_draft"), has_object=True, ok=SCORING_STAFF, data=lambda s: {}
    ),
    "scoring:rule_export": Route(kwargs=_pk("rule_set_draft"), has_object=True, ok=SCORING_STAFF),
    # S: scores. A member's own score (members only: other accounts have no member file); someone
    # else's for scoring.view_scores; the ranking and the export for them too; the settings the office's.
    "scoring:mine": Route(ok=frozenset({Role.MEMBER}), query=("year",)),
    "scoring:my_rules": Route(ok=ALL, query=("year",), actor=Role.MEMBER),
    "scoring:member_score": Route(
        kwargs=lambda s: {"member_pk": s.member_score.pk, "year": s.year}, has_object=True, ok=SCORE_VIEWERS
    ),
    "scoring:ranking": Route(ok=SCORE_VIEWERS, query=("year", "q", "sector", "town", "grade", *PAGE)),
    "scoring:scores_export": Route(ok=SCORE_VIEWERS, query=("year", "format")),
    "scoring:policy": Route(("GET", "POST"), ok=SCORING_STAFF, data=lambda s: {"rankings_enabled": "on"}),
    # D: documents (view_scores; a member's own annual report for the member).
    "scoring:reports": Route(ok=SCORE_VIEWERS, query=REPORT_QUERY),
    "scoring:report_member": Route(
        kwargs=lambda s: {"member_pk": s.member_score.pk, "year": s.year}, has_object=True, ok=SCORE_VIEWERS
    ),
    "scoring:report_bulletin": Route(ok=SCORE_VIEWERS, query=REPORT_QUERY),
    "scoring:report_notices": Route(ok=SCORE_VIEWERS, query=REPORT_QUERY),
    "scoring:report_tables": Route(ok=SCORE_VIEWERS, query=REPORT_QUERY),
    # U: unit assessment (view_scores reads, assess_units writes).
    "scoring:units": Route(ok=SCORE_VIEWERS, query=("year",)),
    "scoring:unit_refresh": Route(("POST",), ok=SCORING_STAFF, data=lambda s: {"year": str(s.year)}),
    "scoring:unit_groups": Route(ok=SCORE_VIEWERS, query=("year",)),
    "scoring:unit_group_new": Route(("GET", "POST"), ok=SCORING_STAFF, query=("year",), data=_group_data),
    "scoring:unit_group_edit": Route(
        ("GET", "POST"), kwargs=_pk("inspection_group"), has_object=True, ok=SCORING_STAFF, data=_group_data
    ),
    "scoring:unit_group_delete": Route(
        ("POST",), kwargs=_pk("inspection_group"), has_object=True, ok=SCORING_STAFF, data=lambda s: {}
    ),
    "scoring:units_bulletin": Route(ok=SCORE_VIEWERS, query=("year",)),
    "scoring:unit_detail": Route(kwargs=_pk("unit_assessment"), has_object=True, ok=SCORE_VIEWERS),
    "scoring:unit_inspect": Route(
        ("POST",), kwargs=_pk("unit_assessment"), has_object=True, ok=SCORING_STAFF, data=_inspection_data
    ),
    "scoring:unit_decide": Route(
        ("POST",),
        kwargs=_pk("unit_assessment"),
        has_object=True,
        ok=SCORING_STAFF,
        data=lambda s: {"tier": "second", "version": s.unit_assessment.version},
    ),
    # C: duty claims. A member claims for themself (members only: other accounts have no member file)
    # and alone withdraws or sends again their own; the office (approve_dutyclaim) sees the committee's,
    # decides on others' claims and types one in for a member.
    "scoring:claims_mine": Route(ok=frozenset({Role.MEMBER})),
    "scoring:claim_new": Route(
        ("GET", "POST"),
        ok=frozenset({Role.MEMBER}),
        data=_claim_data,
        optional=TOKEN,
        files={"evidence": ("证书.pdf", PDF)},
    ),
    "scoring:claims": Route(ok=SCORING_STAFF, query=("status", "kind", "year", *PAGE)),
    "scoring:claim_for_member": Route(
        ("GET", "POST"),
        ok=SCORING_STAFF,
        data=lambda s: {**_claim_data(s), "member": s.member.pk},
        # `q`: the member search box inside the form (it asks claim_member_search).
        optional=("q", *TOKEN),
        files={"evidence": ("证书.pdf", PDF)},
    ),
    "scoring:claim_member_search": Route(ok=SCORING_STAFF, query=("q",)),
    "scoring:claim_detail": Route(kwargs=_pk("claim"), has_object=True, ok=SCORING_STAFF),
    "scoring:claim_evidence": Route(kwargs=_pk("claim"), has_object=True, ok=SCORING_STAFF),
    "scoring:claim_withdraw": Route(
        ("POST",),
        kwargs=_pk("claim"),
        has_object=True,
        data=lambda s: {"version": s.claim.version},
        actor=Role.MEMBER,
    ),
    "scoring:claim_resubmit": Route(
        ("POST",),
        kwargs=_pk("claim_rejected"),
        has_object=True,
        data=lambda s: {**_claim_data(s), "version": s.claim_rejected.version},
        files={"evidence": ("证书.pdf", PDF)},
        actor=Role.MEMBER,
    ),
    "scoring:claim_approve": Route(
        ("POST",),
        kwargs=_pk("claim"),
        has_object=True,
        ok=SCORING_STAFF,
        data=lambda s: {"note": "属实", "version": s.claim.version},
    ),
    "scoring:claim_reject": Route(
        ("POST",),
        kwargs=_pk("claim"),
        has_object=True,
        ok=SCORING_STAFF,
        data=lambda s: {"reason": "材料不全", "version": s.claim.version},
    ),
    # --- notifications -----------------------------------------------------------------------------
    "notifications:inbox": Route(ok=ALL, query=PAGE),
    "notifications:read": Route(
        ("POST",), kwargs=_pk("notification"), has_object=True, data=lambda s: {}, actor=Role.MEMBER
    ),
    "notifications:read_all": Route(("POST",), ok=ALL, data=lambda s: {}),
    "notifications:preferences": Route(
        ("GET", "POST"),
        ok=ALL,
        data=lambda s: {"email_enabled": "on", "digest": "daily"},
        optional=("sms_enabled",),
        actor=Role.MEMBER,
    ),
    # --- organization ------------------------------------------------------------------------------
    "organization:index": Route(ok=ORG_VIEWERS),
    "organization:departments": Route(ok=ORG_VIEWERS),
    "organization:liaisons": Route(ok=ORG_VIEWERS),
    "organization:unit_create": Route(
        ("GET", "POST"),
        ok=OFFICE,
        query=("kind",),
        data=lambda s: {"kind": "sector", "name": "新设界别", "sort_order": "0", "is_active": "on"},
        optional=("short_name", "parent", "description", *TOKEN),
    ),
    "organization:unit_detail": Route(kwargs=_pk("unit"), has_object=True, ok=FILE_READERS),
    "organization:unit_edit": Route(
        ("GET", "POST"),
        also_as=(Role.UNIT_STAFF,),
        kwargs=_pk("unit"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {
            "kind": "special_committee",
            "name": "改名委员会",
            "sort_order": "0",
            "is_active": "on",
        },
        optional=("short_name", "parent", "description", *TOKEN),
    ),
    "organization:liaison_create": Route(
        ("GET", "POST"),
        kwargs=lambda s: {"unit_pk": s.unit.pk},
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"department": s.department.pk, "note": "联系"},
        optional=("target_unit", *TOKEN),
    ),
    "organization:membership_create": Route(
        ("GET", "POST"),
        also_as=(Role.UNIT_STAFF,),
        kwargs=lambda s: {"unit_pk": s.unit.pk},
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"member": s.second_member.pk, "position": "convener", "start_date": "2026-01-01"},
        optional=("end_date", *TOKEN),
    ),
    "organization:membership_delete": Route(
        ("POST",), kwargs=_pk("membership"), has_object=True, ok=OFFICE, data=lambda s: {}
    ),
    "organization:term_create": Route(
        ("GET", "POST"),
        ok=OFFICE,
        data=lambda s: {"number": "11", "name": "第十一届", "start_date": "2035-01-08"},
        optional=("end_date", "is_current", *TOKEN),
    ),
    "organization:term_edit": Route(
        ("GET", "POST"),
        kwargs=_pk("term"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {
            "number": s.term.number,
            "name": "改名",
            "start_date": "2025-01-08",
            "is_current": "on",
        },
        optional=("end_date", *TOKEN),
    ),
    "organization:session_create": Route(
        ("GET", "POST"),
        ok=OFFICE,
        data=lambda s: {"term": s.term.pk, "number": "7", "name": "第七次会议", "start_date": "2027-01-08"},
        optional=("end_date", *TOKEN),
    ),
    "organization:session_edit": Route(
        ("GET", "POST"),
        kwargs=_pk("session"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {
            "term": s.term.pk,
            "number": s.session.number,
            "name": "改名",
            "start_date": "2025-01-08",
        },
        optional=("end_date", *TOKEN),
    ),
    "organization:department_create": Route(
        ("GET", "POST"),
        ok=OFFICE,
        data=lambda s: {"name": "新设局", "kind": "government", "is_active": "on"},
        optional=("contact_person", "contact_phone", "address", *TOKEN),
    ),
    "organization:department_edit": Route(
        ("GET", "POST"),
        kwargs=_pk("department"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"name": "改名局", "kind": "government", "is_active": "on"},
        optional=("contact_person", "contact_phone", "address", *TOKEN),
    ),
    "organization:liaison_detail": Route(
        ("GET", "POST"),
        also_as=(Role.UNIT_STAFF,),
        kwargs=_pk("liaison"),
        has_object=True,
        ok=FILE_READERS,
        ok_post=OFFICE,
        query=PAGE,
        data=lambda s: {"date": "2026-04-01", "participants": "主任", "topic": "座谈", "follow_up": "跟进"},
        optional=TOKEN,
    ),
    "organization:liaison_contact_edit": Route(
        ("GET", "POST"),
        also_as=(Role.UNIT_STAFF,),
        kwargs=_pk("liaison_contact"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"date": "2026-04-01", "participants": "主任", "topic": "更正", "follow_up": "跟进"},
    ),
    "organization:liaison_contact_delete": Route(
        ("GET", "POST"), kwargs=_pk("liaison_contact"), has_object=True, ok=OFFICE, data=lambda s: {}
    ),
    # --- studies -----------------------------------------------------------------------------------
    "studies:home": Route(ok=ALL),
    "studies:submit": Route(
        ("GET", "POST"),
        ok=frozenset({Role.MEMBER}),
        data=_study_data,
        optional=TOKEN,
        files={"attachment": ("心得.pdf", PDF)},
    ),
    "studies:queue": Route(ok=ACTIVITY_VIEWERS, query=("year", "kind", "status", *PAGE)),
    "studies:export": Route(ok=ACTIVITY_VIEWERS, query=("year",)),
    "studies:paper_submit": Route(
        ("GET", "POST"),
        also_as=(Role.UNIT_STAFF,),
        ok=frozenset({Role.OFFICE, Role.UNIT_STAFF}),
        data=lambda s: {**_study_data(s), "member": s.member.pk},
        optional=TOKEN,
        files={"attachment": ("心得.pdf", PDF)},
    ),
    "studies:submission_detail": Route(
        kwargs=_pk("submission"), has_object=True, ok=frozenset({Role.OFFICE, Role.LEADER})
    ),
    "studies:submission_edit": Route(
        ("GET", "POST"),
        kwargs=_pk("returned_submission"),
        has_object=True,
        data=lambda s: {**_study_data(s), "version": s.returned_submission.version},
        files={"attachment": ("心得.pdf", PDF)},
        actor=Role.MEMBER,
    ),
    "studies:attachment": Route(
        kwargs=_pk("submission"), has_object=True, ok=frozenset({Role.OFFICE, Role.LEADER})
    ),
    "studies:acknowledge": Route(
        ("POST",),
        kwargs=_pk("submission"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"note": "已阅", "version": s.submission.version},
    ),
    "studies:return": Route(
        ("POST",),
        kwargs=_pk("submission"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"reason": "请补充", "version": s.submission.version},
    ),
    "studies:plans": Route(ok=frozenset({Role.OFFICE, Role.LEADER})),
    "studies:plan_create": Route(
        ("GET", "POST"),
        ok=OFFICE,
        data=lambda s: {"year": str(NEXT_YEAR), "title": "明年方案", "summary": "安排"},
    ),
    "studies:plan_detail": Route(
        kwargs=_pk("plan"), has_object=True, ok=frozenset({Role.OFFICE, Role.LEADER})
    ),
    "studies:plan_edit": Route(
        ("GET", "POST"),
        kwargs=_pk("plan"),
        has_object=True,
        ok=OFFICE,
        data=lambda s: {"title": "改名方案", "summary": "安排", "version": s.plan.version},
    ),
    "studies:plan_publish": Route(
        ("POST",), kwargs=_pk("plan"), has_object=True, ok=OFFICE, data=lambda s: {"version": s.plan.version}
    ),
    "studies:plan_unpublish": Route(
        ("POST",), kwargs=_pk("plan"), has_object=True, ok=OFFICE, data=lambda s: {"version": s.plan.version}
    ),
    "studies:session_add": Route(
        ("POST",), kwargs=_pk("plan"), has_object=True, ok=OFFICE, data=_plan_session_data, optional=TOKEN
    ),
    "studies:session_edit": Route(
        ("GET", "POST"), kwargs=_pk("training_session"), has_object=True, ok=OFFICE, data=_plan_session_data
    ),
    "studies:session_delete": Route(
        ("POST",), kwargs=_pk("training_session"), has_object=True, ok=OFFICE, data=lambda s: {}
    ),
}


# --- the URL conf ---------------------------------------------------------------------------------


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {pattern.pattern}>"


def urlconf_names():
    """The name of every route of config.urls, namespaced, walked recursively."""
    return sorted(_walk(get_resolver().url_patterns))


def url_for(name, side, **replace):
    route = ROUTES[name]
    kwargs = {**route.kwargs(side), **replace} if route.kwargs else None
    return reverse(name, kwargs=kwargs)


def converters(name):
    """{kwarg: converter} of the named route."""
    return _converters_of(get_resolver().url_patterns, name.split(":"))


def _converters_of(patterns, path, inherited=None):
    inherited = dict(inherited or {})
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if path[:1] == [pattern.namespace] or (pattern.namespace is None and len(path) == 1):
                rest = path[1:] if pattern.namespace else path
                found = _converters_of(
                    pattern.url_patterns, rest, {**inherited, **pattern.pattern.converters}
                )
                if found is not None:
                    return found
        elif len(path) == 1 and pattern.name == path[0]:
            return {**inherited, **pattern.pattern.converters}
    return None
