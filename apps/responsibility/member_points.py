"""What the members app may read of meeting attendance: point events and party-life activity, given to the
members' registries (members sits below responsibility and never imports it)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from .models import MeetingAttendance


def _attendance(*, present: bool, start: datetime.date, end: datetime.date, root_path: str) -> Iterable[tuple]:
    qs = MeetingAttendance.objects.filter(
        member__isnull=False,
        present=present,
        meeting__held_on__gte=start,
        meeting__held_on__lte=end,
        meeting__org_path__startswith=root_path,
    )
    if not present:
        qs = qs.filter(absence_reason="")  # absent without leave only
    for mid, aid, held_on in qs.values_list("member_id", "id", "meeting__held_on").iterator(chunk_size=5000):
        yield mid, f"attendance:{aid}", held_on


def attendance_present(*, start: datetime.date, end: datetime.date, root_path: str) -> Iterable[tuple]:
    return _attendance(present=True, start=start, end=end, root_path=root_path)


def attendance_absent(*, start: datetime.date, end: datetime.date, root_path: str) -> Iterable[tuple]:
    return _attendance(present=False, start=start, end=end, root_path=root_path)


def attended_since(*, since: datetime.date) -> Any:
    """Member ids present at any meeting on or after ``since`` (a subquery for the lost-contact scan)."""
    return MeetingAttendance.objects.filter(present=True, member__isnull=False, meeting__held_on__gte=since).values(
        "member_id"
    )


def register() -> None:
    from apps.members.contact import register_activity_source
    from apps.members.points import register_point_source

    register_point_source("responsibility.attendance_present", attendance_present)
    register_point_source("responsibility.attendance_absent", attendance_absent)
    register_activity_source("responsibility.attendance", attended_since)


register()
