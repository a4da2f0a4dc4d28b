"""Attendance of a meeting (filled in once the members roster is available)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def apply(
    *, meeting: Any, attendees: Any, absentees: Any, attendee_count: int | None, absentee_count: int | None
) -> None:
    if attendee_count is not None and attendee_count < 0 or absentee_count is not None and absentee_count < 0:
        raise ValidationError({"attendee_count": _("人数不能为负数。")})
    meeting.attendee_count = attendee_count or 0
    meeting.absentee_count = absentee_count or 0
    meeting.save(update_fields=["attendee_count", "absentee_count"])
