"""Meetings and attachments of a monthly ledger."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.core.files import serve_file
from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedQuerysetMixin
from apps.members.choices import MemberStatus
from apps.members.models import Member
from apps.organizations.choices import OrgKind
from apps.organizations.models import Organization

from .. import forms, services
from ..attendance import COMMITTEE_POSTS
from ..models import (
    Meeting,
    MeetingAttachment,
    MonthlyLedger,
)
from .common import ServiceFormView, _EditableLedgerOnly
from .ledgers import _LedgerAction


def _warn_quorum(request: Any, meeting: Meeting) -> None:
    if meeting.quorum_met is False:
        messages.warning(request, meeting.quorum_note)


class _MeetingFormMixin:
    template_name = "responsibility/meeting_form.html"

    def ledger(self) -> MonthlyLedger:
        raise NotImplementedError

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()  # type: ignore[misc]
        ledger = self.ledger()
        kwargs["ledger"] = ledger
        kwargs["roster"] = list(
            Member.objects.filter(organization_id=ledger.organization_id, status=MemberStatus.ACTIVE)
            .only("id", "name", "party_post", "party_group_id")
            .order_by("id")
        )
        # Inflow members (流入党员) hosted by the branch during the ledger's month join its party life.
        period = ledger.period
        for m in (
            Member.objects.hosted_by(ledger.organization_id, period.first_day, period.last_day)
            .only("id", "name", "party_post", "party_group_id")
            .order_by("id")
        ):
            m.hosted = True
            kwargs["roster"].append(m)
        kwargs["groups"] = list(
            Organization.objects.filter(parent_id=ledger.organization_id, kind=OrgKind.PARTY_GROUP, is_active=True)
            .only("id", "name")
            .order_by("id")
        )
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)  # type: ignore[misc]
        ctx["ledger"] = self.ledger()
        ctx["absence_reasons"] = forms.ABSENCE_REASONS
        ctx["committee_posts"] = list(COMMITTEE_POSTS)
        ctx["cancel_url"] = self.ledger().get_absolute_url()
        return ctx


class MeetingCreateView(_EditableLedgerOnly, _MeetingFormMixin, _LedgerAction):
    permission_required = ("responsibility.add_meeting",)
    form_class = forms.MeetingForm
    title = gettext_lazy("记录会议")
    success_message = gettext_lazy("已记录会议。")

    def ledger(self) -> MonthlyLedger:
        return self.object

    locked_ledger = ledger

    def get_initial(self) -> dict[str, Any]:
        period, today = self.object.period, timezone.localdate()
        held_on = today if period.first_day <= today <= period.last_day else period.first_day
        return {"kind": self.request.GET.get("kind", ""), "held_on": held_on}

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.request.method == "GET":
            kwargs["initial"]["attendees"] = [m.pk for m in kwargs["roster"]]
        return kwargs

    def run_service(self, form: Any) -> Meeting:
        meeting = services.meeting_create(acting_user=self.request.user, ledger=self.object, **form.service_kwargs())
        _warn_quorum(self.request, meeting)
        return meeting


class MeetingUpdateView(_EditableLedgerOnly, _MeetingFormMixin, ServiceFormView):
    model = object_model = Meeting
    permission_required = ("responsibility.change_meeting",)
    form_class = forms.MeetingForm
    title = gettext_lazy("修改会议记录")

    def optimize_object_qs(self, model: Any) -> QuerySet:
        return model.objects.select_related("ledger__organization", "organization")

    def ledger(self) -> MonthlyLedger:
        return self.object.ledger

    locked_ledger = ledger

    def get_initial(self) -> dict[str, Any]:
        m = self.object
        initial = {
            "kind": m.kind,
            "held_on": m.held_on,
            "topic": m.topic,
            "place": m.place,
            "minutes": m.minutes,
            "party_group": m.party_group_id,
            "attendee_count": m.attendee_count,
            "absentee_count": m.absentee_count,
        }
        rows = list(m.attendance.all())
        initial["attendees"] = [a.member_id for a in rows if a.present]
        initial.update({f"reason_{a.member_id}": a.absence_reason for a in rows if not a.present})
        return initial

    def run_service(self, form: Any) -> Meeting:
        meeting = services.meeting_update(acting_user=self.request.user, meeting=self.object, **form.service_kwargs())
        _warn_quorum(self.request, meeting)
        return meeting


class MeetingDeleteView(_EditableLedgerOnly, ServiceFormView):
    model = object_model = Meeting
    permission_required = ("responsibility.delete_meeting",)
    form_class = forms.forms.Form
    title = gettext_lazy("删除会议记录")
    success_message = gettext_lazy("已删除。")
    template_name = "responsibility/confirm.html"

    def optimize_object_qs(self, model: Any) -> QuerySet:
        return model.objects.select_related("ledger", "organization")

    def locked_ledger(self) -> MonthlyLedger:
        return self.object.ledger

    def run_service(self, form: Any) -> MonthlyLedger:
        ledger = self.object.ledger
        services.meeting_delete(acting_user=self.request.user, meeting=self.object)
        return ledger


class AttachmentAddView(_EditableLedgerOnly, ServiceFormView):
    model = object_model = Meeting
    permission_required = ("responsibility.add_meetingattachment",)
    form_class = forms.AttachmentForm
    title = gettext_lazy("上传会议附件")
    success_message = gettext_lazy("已上传。")

    def optimize_object_qs(self, model: Any) -> QuerySet:
        return model.objects.select_related("ledger", "organization")

    def locked_ledger(self) -> MonthlyLedger:
        return self.object.ledger

    def run_service(self, form: Any) -> Meeting:
        services.attachment_add(acting_user=self.request.user, meeting=self.object, file=form.cleaned_data["file"])
        return self.object


class AttachmentDeleteView(_EditableLedgerOnly, ServiceFormView):
    model = object_model = MeetingAttachment
    permission_required = ("responsibility.delete_meetingattachment",)
    form_class = forms.forms.Form
    title = gettext_lazy("删除附件")
    success_message = gettext_lazy("已删除。")
    template_name = "responsibility/confirm.html"

    def optimize_object_qs(self, model: Any) -> QuerySet:
        return model.objects.select_related("meeting__ledger", "meeting__organization")

    def cancel_url(self) -> str:
        return self.object.meeting.get_absolute_url()

    def locked_ledger(self) -> MonthlyLedger:
        return self.object.meeting.ledger

    def run_service(self, form: Any) -> Meeting:
        meeting = self.object.meeting
        services.attachment_delete(acting_user=self.request.user, attachment=self.object)
        return meeting


class AttachmentDownloadView(ScopedQuerysetMixin, TemplateView):
    model = MeetingAttachment

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        att = get_visible_or_404(MeetingAttachment, request.user, pk=kwargs["pk"])
        # Attendance sheets and minutes name people: each download is audited.
        return serve_file(request, att.file, filename=att.name, audit_obj=att, audit_event="meetingattachment.download")
