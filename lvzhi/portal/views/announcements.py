"""The office's announcements (通知公告, 工作动态): the committee's list (drafts first), the form of a new
one, the edit page (which is also the announcement's page: its status, a preview, publish and withdraw),
and the two steps. The public page of a published one is public:announcement.

Rights: portal.add_announcement to write a new one, portal.change_announcement for the list and the
rest (the office); another committee's announcement is a 404."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lvzhi.core import submission
from lvzhi.core.forms import MAX_ID
from lvzhi.core.pagination import paginate
from lvzhi.core.workflow import posted_version

from ..forms_announcements import AnnouncementForm
from ..models import Announcement
from ..services import announcements as services

Status = Announcement.Status
PAGE_SIZE = 50
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _require(user, perm: str) -> None:
    if not (user.committee_id is not None and user.has_perm(perm)):
        raise PermissionDenied(perm)


def get_announcement_for_user(user, pk) -> Announcement:
    """The announcement `pk` of the user's committee; 404 otherwise."""
    if int(pk) > MAX_ID:
        raise Http404
    return get_object_or_404(Announcement.objects.visible_to(user).select_related("created_by"), pk=pk)


def paragraphs(text: str) -> list[str]:
    """The paragraphs of an announcement's plain text: a blank line starts one."""
    return [part.strip("\n") for part in PARAGRAPH_BREAK.split(text) if part.strip()]


@login_required
@never_cache
def announcement_list(request):
    """All of the committee's announcements: drafts first, then the rest by date of publication."""
    _require(request.user, services.CHANGE)
    rows = (
        Announcement.objects.visible_to(request.user)
        .defer("body")
        .select_related("created_by")
        .annotate(
            drafts_first=Case(
                When(status=Status.DRAFT, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("drafts_first", "-published_at", "-pk")
    )
    page = paginate(request, rows, per_page=PAGE_SIZE)
    return render(
        request,
        "portal/announcements/list.html",
        {"page": page, "may_write": services.may_write(request.user), "committee": request.user.committee},
    )


@login_required
@never_cache
def announcement_new(request):
    _require(request.user, services.ADD)
    form = AnnouncementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                submission.claim(request)
                announcement = services.save_announcement(
                    actor=request.user, committee=request.user.committee, **form.service_kwargs()
                )
        except submission.DuplicateSubmission:
            submission.tell_already_submitted(request)
            return redirect("portal:announcements")
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            # zh: 公告已保存为草稿，发布后公众才能看到。
            messages.success(
                request, _("The announcement was saved as a draft; the public sees it once published.")
            )
            return redirect("portal:announcement_edit", announcement.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/announcements/form.html", {"form": form}, status=status)


def _edit_page(request, announcement, form, *, status=200):
    return render(
        request,
        "portal/announcements/form.html",
        {
            "form": form,
            "announcement": announcement,
            "paragraphs": paragraphs(announcement.body),
            "committee": request.user.committee,
        },
        status=status,
    )


@login_required
@never_cache
def announcement_edit(request, pk):
    """The announcement with its status and preview; saving keeps the status (a published one's text
    changes on the site at once)."""
    _require(request.user, services.CHANGE)
    announcement = get_announcement_for_user(request.user, pk)
    if request.method != "POST":
        return _edit_page(request, announcement, AnnouncementForm.for_announcement(announcement))
    form = AnnouncementForm(request.POST)
    if form.is_valid():
        try:
            announcement = services.save_announcement(
                actor=request.user,
                committee=request.user.committee,
                announcement=announcement,
                expected_version=form.cleaned_data["version"] or 0,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            if announcement.status == Status.PUBLISHED:
                # zh: 已保存，公众看到的是修改后的内容。
                messages.success(request, _("Saved; the public site shows the new text."))
            else:
                messages.success(request, _("Saved."))
            return redirect("portal:announcement_edit", announcement.pk)
    return _edit_page(request, announcement, form, status=400)


def _step(request, pk, service, done: str):
    _require(request.user, services.CHANGE)
    announcement = get_announcement_for_user(request.user, pk)
    try:
        service(announcement, actor=request.user, expected_version=posted_version(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("portal:announcement_edit", announcement.pk)


@login_required
@require_POST
def announcement_publish(request, pk):
    # zh: 已发布，公众可以在门户网站上看到。
    return _step(request, pk, services.publish_announcement, _("Published on the public site."))


@login_required
@require_POST
def announcement_withdraw(request, pk):
    # zh: 已撤下，公众不再看到；可以重新发布。
    return _step(
        request,
        pk,
        services.withdraw_announcement,
        _("Withdrawn from the public site; you can publish it again."),
    )


urlpatterns = [
    path("announcements/", announcement_list, name="announcements"),
    path("announcements/new/", announcement_new, name="announcement_new"),
    path("announcements/<int:pk>/edit/", announcement_edit, name="announcement_edit"),
    path("announcements/<int:pk>/publish/", announcement_publish, name="announcement_publish"),
    path("announcements/<int:pk>/withdraw/", announcement_withdraw, name="announcement_withdraw"),
]
