"""Meetings recorded in a monthly ledger, their attendance and attachments."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.organizations.choices import OrgKind
from apps.organizations.models import Organization

from ..choices import (
    MeetingKind,
)
from ..models import (
    Meeting,
    MeetingAttachment,
    MonthlyLedger,
)
from ..validators import validate_attachment
from .common import (
    _actor,
)
from .ledgers import _ensure_editable, _lock_ledger


def _validate_meeting(
    *, ledger: MonthlyLedger, kind: str, held_on: datetime.date, topic: str, party_group: Organization | None
) -> None:
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("会议类型无效。")})
    period = ledger.period
    if not (period.first_day <= held_on <= period.last_day):
        raise ValidationError(
            {
                "held_on": _("会议日期（%(d)s）须在台账月份（%(p)s）之内。")
                % {"d": held_on.strftime("%Y-%m-%d"), "p": period.label}
            }
        )
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("会议日期不能晚于今天。")})
    if not topic.strip():
        raise ValidationError({"topic": _("请填写会议主题。")})
    if party_group is not None and (
        party_group.parent_id != ledger.organization_id or party_group.kind != OrgKind.PARTY_GROUP
    ):
        raise ValidationError({"party_group": _("所选党小组不属于本支部。")})
    if kind == MeetingKind.GROUP_MEETING and party_group is None:
        has_groups = Organization.objects.filter(
            parent_id=ledger.organization_id, kind=OrgKind.PARTY_GROUP, is_active=True
        ).exists()
        if has_groups:
            raise ValidationError({"party_group": _("党小组会须选择召开会议的党小组。")})


def _apply_attendance(
    *,
    meeting: Meeting,
    attendees: Any,
    absentees: Any,
    attendee_count: int | None,
    absentee_count: int | None,
) -> None:
    from .. import attendance

    attendance.apply(
        meeting=meeting,
        attendees=attendees,
        absentees=absentees,
        attendee_count=attendee_count,
        absentee_count=absentee_count,
    )


@transaction.atomic
def meeting_create(
    *,
    acting_user: Any,
    ledger: MonthlyLedger,
    kind: str,
    held_on: datetime.date,
    topic: str,
    place: str = "",
    minutes: str = "",
    party_group: Organization | None = None,
    attendees: Any = None,
    absentees: Any = None,
    attendee_count: int | None = None,
    absentee_count: int | None = None,
) -> Meeting:
    """Record a meeting in a ledger. ``attendees``: members present; ``absentees``: {member: reason}."""
    ensure_org_in_scope(acting_user, ledger.organization)
    ensure_perm(acting_user, "responsibility.add_meeting")
    ledger = _lock_ledger(ledger)
    _ensure_editable(ledger)
    _validate_meeting(ledger=ledger, kind=kind, held_on=held_on, topic=topic, party_group=party_group)
    meeting = Meeting.objects.create(
        ledger=ledger,
        organization_id=ledger.organization_id,
        org_path=ledger.org_path,
        party_group=party_group,
        kind=kind,
        held_on=held_on,
        place=place,
        topic=topic.strip(),
        minutes=minutes,
    )
    _apply_attendance(
        meeting=meeting,
        attendees=attendees,
        absentees=absentees,
        attendee_count=attendee_count,
        absentee_count=absentee_count,
    )
    audit_record(actor=acting_user, event="meeting.create", obj=meeting, after=snapshot(meeting))
    return meeting


@transaction.atomic
def meeting_update(
    *,
    acting_user: Any,
    meeting: Meeting,
    kind: str,
    held_on: datetime.date,
    topic: str,
    place: str = "",
    minutes: str = "",
    party_group: Organization | None = None,
    attendees: Any = None,
    absentees: Any = None,
    attendee_count: int | None = None,
    absentee_count: int | None = None,
) -> Meeting:
    ensure_org_in_scope(acting_user, meeting.organization)
    ensure_perm(acting_user, "responsibility.change_meeting")
    ledger = _lock_ledger(meeting.ledger)
    _ensure_editable(ledger)
    _validate_meeting(ledger=ledger, kind=kind, held_on=held_on, topic=topic, party_group=party_group)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    before = snapshot(meeting)
    meeting.kind, meeting.held_on, meeting.topic = kind, held_on, topic.strip()
    meeting.place, meeting.minutes, meeting.party_group = place, minutes, party_group
    meeting.save()
    _apply_attendance(
        meeting=meeting,
        attendees=attendees,
        absentees=absentees,
        attendee_count=attendee_count,
        absentee_count=absentee_count,
    )
    audit_record(actor=acting_user, event="meeting.update", obj=meeting, before=before, after=snapshot(meeting))
    return meeting


@transaction.atomic
def meeting_delete(*, acting_user: Any, meeting: Meeting) -> None:
    ensure_org_in_scope(acting_user, meeting.organization)
    ensure_perm(acting_user, "responsibility.delete_meeting")
    _ensure_editable(_lock_ledger(meeting.ledger))
    audit_record(actor=acting_user, event="meeting.delete", obj=meeting, before=snapshot(meeting))
    for att in meeting.attachments.all():
        att.file.delete(save=False)
    meeting.delete()


@transaction.atomic
def attachment_add(*, acting_user: Any, meeting: Meeting, file: Any) -> MeetingAttachment:
    ensure_org_in_scope(acting_user, meeting.organization)
    ensure_perm(acting_user, "responsibility.add_meetingattachment")
    _ensure_editable(_lock_ledger(meeting.ledger))
    try:
        validate_attachment(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    att = MeetingAttachment(meeting=meeting, name=file.name[:200], size=file.size, uploaded_by=_actor(acting_user))
    att.file.save(file.name, file, save=False)
    att.save()
    audit_record(actor=acting_user, event="meetingattachment.create", obj=att, org_path=meeting.org_path, note=att.name)
    return att


@transaction.atomic
def attachment_delete(*, acting_user: Any, attachment: MeetingAttachment) -> None:
    meeting = attachment.meeting
    ensure_org_in_scope(acting_user, meeting.organization)
    ensure_perm(acting_user, "responsibility.delete_meetingattachment")
    _ensure_editable(_lock_ledger(meeting.ledger))
    audit_record(
        actor=acting_user,
        event="meetingattachment.delete",
        obj=attachment,
        org_path=meeting.org_path,
        note=attachment.name,
    )
    attachment.file.delete(save=False)
    attachment.delete()
