"""The demo committee's public site (part of `seed_demo`, see lvzhi.demo.builder).

The office sets the site up (its telephone, a short list of spam words that hold a message, the days
before a message is overdue) and writes three reply templates; over the last months it publishes eight
announcements (notices and work news) and keeps one draft. Members write suggestions for the 委员建言
column: most published with the official answer of a county department (some answered weeks later, one
published as 委员 without the member's name, one still waiting for its answer, one taken off the site),
one awaiting review, one returned to the demo member and one draft of theirs. The public writes about
twenty-five messages over the last two months: most answered publicly, a few answered privately, two
adverts hidden (one held first for a spam word), a few waiting (two overdue, one held for a word), and one
turned by the office into a 社情民意 report that waits in the editors' queue.

Everything goes through the portal's services (messages, moderation, suggestions, announcements), so
statuses, history, audit rows, notices and the duty ledger are what the pages would have made. The
services read the time from the clock, so each step runs with `timezone.now` set to its moment
(`_clock`); a message's `submitted_at`, which the model dates itself, is set afterwards.

Members other than the demo member have no accounts in the demo, and a suggestion is written by its
member's own account: the other authors of the column get accounts as the office's batch of members'
accounts makes them (linked to the file, the 委员 role, no usable password: they cannot sign in)."""

from __future__ import annotations

import contextlib
import datetime
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from django.contrib.auth.models import Group
from django.utils import timezone

from lvzhi.accounts import login_names
from lvzhi.accounts.models import User
from lvzhi.accounts.roles import Role
from lvzhi.members.models import MemberTerm
from lvzhi.notifications.models import Notification

from . import demo_texts as texts
from .models import Announcement, PortalSettings, PublicMessage
from .services import announcements, messages, moderation, suggestions

# Spread of the public messages (days before the demo's now) and of the members' suggestions.
MESSAGE_SPAN_DAYS = 60
SUGGESTION_SPAN_DAYS = 120
# Addresses of documentation (RFC 5737): no writer's real address.
CLIENT_NETWORKS = ("198.51.100", "203.0.113")


@dataclass(order=True)
class _Event:
    when: datetime.datetime
    seq: int
    run: Callable[[], Any] = field(compare=False)


@contextlib.contextmanager
def _clock(moment: datetime.datetime) -> Iterator[None]:
    """Run the services as if it were `moment` (they read the time from timezone.now)."""
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


def seed_portal(*, committee, users, now=None, seed=None):
    """Build `committee`'s public site as it stands at `now` (default: the real now), acting as the demo
    accounts in `users` (office, clerk, member). Does nothing and returns None when the site was set up
    already; else returns what it made: {"announcements", "suggestions", "messages", "report"}."""
    now = now or timezone.now()
    if (
        PortalSettings.objects.filter(committee=committee).exists()
        or Announcement.objects.filter(committee=committee).exists()
    ):
        return None
    return _Site(committee, users, now, random.Random(seed if seed is not None else committee.pk)).build()


class _Site:
    def __init__(self, committee, users, now, rng):
        self.committee = committee
        self.office = users["office"]
        self.clerk = users.get("clerk", self.office)
        self.demo_member_user = users["member"]
        self.now = now
        self.end = now - datetime.timedelta(minutes=20)
        self.rng = rng
        self.tz = timezone.get_current_timezone()
        self.events: list[_Event] = []
        self.seq = 0
        self.made: dict[str, Any] = {"announcements": {}, "suggestions": {}, "messages": {}, "report": None}

    # --- time --------------------------------------------------------------------------------------

    def _day(self, days_before: float, hour: float) -> datetime.datetime:
        """`days_before` the demo's now, at `hour` o'clock local time; never after the demo's end."""
        local = timezone.localtime(self.now, self.tz) - datetime.timedelta(days=int(days_before))
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return min(midnight + datetime.timedelta(hours=hour), self.end)

    def _office_hour(self) -> float:
        return self.rng.uniform(8.6, 17.3)

    def _office_after(self, moment: datetime.datetime, low: float, high: float) -> datetime.datetime:
        """Office hours of the day `low`…`high` days after `moment`, at least an hour after it; never
        after the demo's end."""
        target = timezone.localtime(moment + datetime.timedelta(days=self.rng.uniform(low, high)), self.tz)
        midnight = target.replace(hour=0, minute=0, second=0, microsecond=0)
        when = midnight + datetime.timedelta(hours=self._office_hour())
        if when < moment + datetime.timedelta(hours=1):
            when += datetime.timedelta(days=1)
        return min(when, self.end)

    def _add(self, when: datetime.datetime, run: Callable[[], Any]) -> None:
        self.seq += 1
        self.events.append(_Event(min(when, self.end), self.seq, run))

    # --- building ----------------------------------------------------------------------------------

    def build(self):
        start = self._day(SUGGESTION_SPAN_DAYS + 40, 9.2)
        self._add(start, self._settings)
        self._add(start + datetime.timedelta(minutes=25), self._reply_templates)
        self._announcements()
        self._suggestions()
        self._messages()
        for event in sorted(self.events):
            with _clock(event.when):
                event.run()
        self._read_old_notices()
        return self.made

    def _settings(self):
        moderation.update_settings(
            actor=self.office,
            committee=self.committee,
            accepting_messages=True,
            sensitive_words="\n".join(texts.SENSITIVE_WORDS),
            overdue_days=texts.OVERDUE_DAYS,
            office_phone=texts.OFFICE_PHONE,
            expected_version=None,
        )

    def _reply_templates(self):
        for title, text, order in texts.REPLY_TEMPLATES:
            moderation.save_reply_template(
                actor=self.office, committee=self.committee, title=title, text=text, order=order
            )

    # --- announcements -----------------------------------------------------------------------------

    def _announcements(self):
        year = timezone.localdate(self.now, self.tz).year
        for n, (kind, title, days_before, paragraphs) in enumerate(texts.ANNOUNCEMENTS):
            title = title.replace("{year}", str(year)).replace("{next_year}", str(year + 1))
            body = "\n\n".join(paragraphs).replace("{next_year}", str(year + 1))
            written = self._day(days_before + 1 if days_before is not None else 3, self._office_hour())
            author = self.office if n % 3 else self.clerk

            def write(n=n, kind=kind, title=title, body=body, author=author):
                self.made["announcements"][n] = announcements.save_announcement(
                    actor=author, committee=self.committee, kind=kind, title=title, body=body
                )

            self._add(written, write)
            if days_before is None:
                continue

            def publish(n=n):
                self.made["announcements"][n] = announcements.publish_announcement(
                    self.made["announcements"][n], actor=self.office
                )

            self._add(self._day(days_before, self.rng.uniform(9, 11.5)), publish)

    # --- members' suggestions ----------------------------------------------------------------------

    def _authors(self, count: int) -> list[User]:
        """Accounts for `count` serving members other than the demo member, made as the office's batch
        of members' accounts makes them (accounts.onboarding): the login name from the pinyin of the
        name, the 委员 role, no usable password (the demo prints no password for them)."""
        demo_member = getattr(self.demo_member_user, "member", None)
        serving = list(
            MemberTerm.objects.filter(
                term__committee=self.committee,
                term__is_current=True,
                status=MemberTerm.Status.SERVING,
                member__user__isnull=True,
            )
            .exclude(member=demo_member)
            .select_related("member")
            .order_by("member_id")
        )
        chosen = [mt.member for mt in self.rng.sample(serving, min(count, len(serving)))]
        group = Group.objects.get(name=Role.MEMBER.value)
        taken = login_names.taken_usernames()
        accounts = []
        for member in chosen:
            user = User(
                committee=self.committee,
                username=login_names.generate_username(member, taken),
                display_name=member.name,
                must_change_password=True,
                date_joined=self.now - datetime.timedelta(days=SUGGESTION_SPAN_DAYS + 30),
            )
            user.set_unusable_password()
            user.save()
            user.groups.add(group)
            member.user = user
            member.save(update_fields=["user"])
            accounts.append(user)
        return accounts

    def _suggestions(self):
        others = [s for s in texts.SUGGESTIONS if not s[0].startswith("own")]
        authors = iter(self._authors(len(others)))
        count = len(texts.SUGGESTIONS)
        for n, (key, category, title, content, show_name, plan, unit, answer) in enumerate(texts.SUGGESTIONS):
            author = self.demo_member_user if key.startswith("own") else next(authors)
            # Older first, spread over the span; those still with the member or the office are recent.
            days = SUGGESTION_SPAN_DAYS * (1 - n / count) + self.rng.uniform(-3, 3)
            if plan in ("submitted", "returned", "draft"):
                days = self.rng.uniform(3, 12)
            written = self._day(days, self.rng.uniform(8, 22))

            def save(key=key, author=author, category=category, title=title, content=content, show=show_name):
                self.made["suggestions"][key] = suggestions.save_suggestion(
                    actor=author, category=category, title=title, content=content, show_name=show
                )

            self._add(written, save)
            if plan == "draft":
                continue
            submitted = written + datetime.timedelta(hours=self.rng.uniform(1, 20))
            self._add(submitted, self._step(key, author, suggestions.submit))
            if plan == "submitted":
                continue
            reviewed = self._office_after(submitted, 1, 4)
            if plan == "returned":
                reason = texts.RETURN_REASON
                self._add(
                    reviewed, self._step(key, self.office, suggestions.return_for_revision, reason=reason)
                )
                continue
            with_answer = plan in ("published", "withdrawn")
            self._add(
                reviewed,
                self._step(
                    key,
                    self.office,
                    suggestions.publish,
                    answer=answer if with_answer else "",
                    answered_by_unit=unit if with_answer else "",
                ),
            )
            if plan == "answered_later":
                later = self._office_after(reviewed, 15, 30)
                self._add(
                    later,
                    self._step(
                        key, self.office, suggestions.save_answer, answer=answer, answered_by_unit=unit
                    ),
                )
            elif plan == "withdrawn":
                later = self._office_after(reviewed, 5, 10)
                reason = texts.WITHDRAW_REASON
                self._add(later, self._step(key, self.office, suggestions.withdraw, reason=reason))

    def _step(self, key: str, actor: User, service: Callable[..., Any], **kwargs: Any) -> Callable[[], None]:
        def run():
            current = self.made["suggestions"][key]
            self.made["suggestions"][key] = service(
                current, actor=actor, expected_version=current.version, **kwargs
            )

        return run

    # --- public messages ---------------------------------------------------------------------------

    def _messages(self):
        plans = texts.MESSAGES
        # The messages the office has handled fall evenly over the two months (in no particular order of
        # the texts), the last a week ago; the waiting ones are the recent ones, and the two overdue.
        handled = [plan for plan in plans if plan[5] in ("published", "answered", "hidden_ad")]
        step = (MESSAGE_SPAN_DAYS - 7) / len(handled)
        spread = [7 + step * (k + self.rng.uniform(0.1, 0.9)) for k in range(len(handled))]
        self.rng.shuffle(spread)
        answered_days = iter(spread)
        waiting_days = {
            "overdue": iter([self.rng.uniform(15, 22), self.rng.uniform(9, 13)]),
            "waiting": iter([self.rng.uniform(1, 3)]),
            "held": iter([self.rng.uniform(0.5, 2)]),
            "converted": iter([self.rng.uniform(4, 6)]),
        }
        for n, (key, category, title, content, name, plan, reply) in enumerate(plans):
            days = next(waiting_days[plan]) if plan in waiting_days else next(answered_days)
            submitted = self._day(days, self.rng.choice([7.5, 9, 11, 12.5, 14, 16, 19.5, 21, 22.5]))
            # A few minutes past the hour, but never after the demo's end (a message of "today").
            submitted = min(submitted + datetime.timedelta(minutes=self.rng.randrange(0, 50)), self.end)
            phone = f"1390000{self.rng.randrange(10000):04d}"
            address = f"{CLIENT_NETWORKS[n % 2]}.{10 + n}"

            def receive(
                key=key,
                category=category,
                title=title,
                content=content,
                name=name,
                phone=phone,
                address=address,
                when=submitted,
            ):
                message, _code = messages.submit_message(
                    committee=self.committee,
                    category=category,
                    title=title,
                    content=content,
                    name=name,
                    phone=phone,
                    client_ip=address,
                )
                # The model dates a message itself (not from the clock the demo sets): its moment here.
                PublicMessage.objects.filter(pk=message.pk).update(submitted_at=when, status_changed_at=when)
                message.refresh_from_db()
                self.made["messages"][key] = message

            self._add(submitted, receive)
            moderator = self.office if n % 4 else self.clerk
            handled = self._office_after(submitted, 0.3, 4)
            if plan == "published":
                self._add(handled, self._moderate(key, moderator, moderation.publish, reply=reply))
            elif plan == "answered":
                self._add(handled, self._moderate(key, moderator, moderation.answer_privately, reply=reply))
            elif plan == "hidden_ad":
                self._add(handled, self._moderate(key, moderator, moderation.hide, reason=texts.HIDE_REASON))
            elif plan == "converted":
                self._add(handled, self._convert(key))

    def _moderate(
        self, key: str, actor: User, service: Callable[..., Any], **kwargs: Any
    ) -> Callable[[], None]:
        def run():
            current = self.made["messages"][key]
            self.made["messages"][key] = service(
                current, actor=actor, expected_version=current.version, **kwargs
            )

        return run

    def _convert(self, key: str) -> Callable[[], None]:
        def run():
            current = self.made["messages"][key]
            self.made["report"] = moderation.convert(
                current,
                actor=self.office,
                title=texts.CONVERTED_TITLE,
                body=texts.CONVERTED_BODY,
                include_contact=False,
                expected_version=current.version,
            )
            self.made["messages"][key] = PublicMessage.objects.get(pk=current.pk)

        return run

    def _read_old_notices(self) -> None:
        """Notices of the column were read back then, except those of the last few days."""
        Notification.objects.filter(
            committee=self.committee,
            kind__startswith="portal.",
            read_at__isnull=True,
            created_at__lt=self.now - datetime.timedelta(days=5),
        ).update(read_at=self.now - datetime.timedelta(days=5))
