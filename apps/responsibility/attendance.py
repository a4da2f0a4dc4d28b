"""Attendance of a meeting: attendees and absentees (with a reason) picked from the branch roster."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from apps.members.choices import MemberStatus, PartyPost
from apps.members.models import Member

from .choices import MeetingKind
from .models import MeetingAttendance

# Members holding these posts form the branch committee (支部委员会).
COMMITTEE_POSTS = (
    PartyPost.SECRETARY,
    PartyPost.DEPUTY_SECRETARY,
    PartyPost.ORGANIZATION,
    PartyPost.PUBLICITY,
    PartyPost.DISCIPLINE,
)
GENERAL_RULE = _lazy("支部党员大会须有半数以上有表决权的正式党员到会（《中国共产党支部工作条例》）")
COMMITTEE_RULE = _lazy("支部委员会会议须有半数以上委员到会（《中国共产党支部工作条例》第十二条）")


def _ids(values: Any) -> list[int]:
    out = []
    for v in values or ():
        out.append(int(v.pk if isinstance(v, Member) else v))
    return out


def roster_size(branch_id: int) -> int:
    return Member.objects.filter(organization_id=branch_id, status=MemberStatus.ACTIVE).count()


def hosted_ids(branch_id: int, held_on: Any) -> set[int]:
    """Inflow members (流入党员) the branch hosts on the meeting date: they may attend its party life."""
    if held_on is None:
        return set()
    return set(Member.objects.hosted_by(branch_id, held_on, held_on).values_list("id", flat=True))


def check_quorum(*, meeting: Any, present_ids: list[int] | None, attendee_count: int) -> tuple[bool | None, str]:
    """Whether enough people came (domain.md §2): (met, note). ``None`` when the rule does not apply or
    cannot be checked (no voting full member or no committee member on the roster).

    Only the branch's own full members with a vote count: probationary members, members under 留党察看
    (domain.md §2) and inflow members hosted by the branch (they vote in their own branch) do not."""
    base = Member.objects.filter(organization_id=meeting.organization_id, status=MemberStatus.ACTIVE)
    if meeting.kind == MeetingKind.GENERAL_MEETING:
        ids = set(base.voting(meeting.held_on).values_list("id", flat=True))
        rule, who = GENERAL_RULE, _("有表决权的正式党员")
    elif meeting.kind == MeetingKind.COMMITTEE_MEETING:
        ids = set(base.filter(party_post__in=COMMITTEE_POSTS).values_list("id", flat=True))
        rule, who = COMMITTEE_RULE, _("支部委员")
    else:
        return None, ""
    if not ids:
        return None, ""
    came = len(ids & set(present_ids)) if present_ids is not None else attendee_count
    if came * 2 > len(ids):
        return True, ""
    note = _("%(rule)s：%(who)s%(n)d人，到会%(c)d人，未达半数，本次会议不计入组织生活达标。") % {
        "rule": rule,
        "who": who,
        "n": len(ids),
        "c": came,
    }
    return False, note


def apply(
    *, meeting: Any, attendees: Any, absentees: Any, attendee_count: int | None, absentee_count: int | None
) -> None:
    """Replace the meeting's attendance.

    With ``attendees`` (members or ids) and ``absentees`` ({member or id: reason}) the counts follow the
    roster; without them (a branch whose roster is not yet imported) plain counts are kept, but never more
    people than the branch has members.
    """
    branch_id = meeting.organization_id
    present_ids = _ids(attendees)
    absent = {(v.pk if isinstance(v, Member) else int(v)): (r or "").strip() for v, r in (absentees or {}).items()}
    if present_ids or absent:
        if len(set(present_ids)) != len(present_ids):
            raise ValidationError({"attendees": _("参会人员有重复。")})
        both = set(present_ids) & set(absent)
        if both:
            raise ValidationError({"absentees": _("同一人不能既出席又缺席。")})
        wanted = set(present_ids) | set(absent)
        members = {
            m.pk: m for m in Member.objects.filter(pk__in=wanted).only("id", "name", "organization_id", "status")
        }
        guests = hosted_ids(branch_id, meeting.held_on) & wanted
        strangers = [
            str(members[i].name) if i in members else f"#{i}"
            for i in wanted
            if i not in guests
            and (
                i not in members or members[i].organization_id != branch_id or members[i].status != MemberStatus.ACTIVE
            )
        ]
        if strangers:
            raise ValidationError(
                {
                    "attendees": _("以下人员不是本支部在册党员或流入本支部的党员，不能记为参会人员：%(n)s。")
                    % {"n": "、".join(sorted(strangers))}
                }
            )
        no_reason = [members[i].name for i, r in absent.items() if not r]
        if no_reason:
            raise ValidationError({"absentees": _("请填写缺席原因：%(n)s。") % {"n": "、".join(no_reason)}})
        size = roster_size(branch_id) + len(guests)
        if len(wanted) > size:
            raise ValidationError(
                {"attendees": _("参会人数（%(a)d）超过本支部在册党员人数（%(m)d）。") % {"a": len(wanted), "m": size}}
            )
        meeting.attendance.all().delete()
        MeetingAttendance.objects.bulk_create(
            [
                MeetingAttendance(meeting=meeting, member_id=i, member_name=members[i].name, present=True)
                for i in present_ids
            ]
            + [
                MeetingAttendance(
                    meeting=meeting, member_id=i, member_name=members[i].name, present=False, absence_reason=r
                )
                for i, r in absent.items()
            ]
        )
        meeting.attendee_count, meeting.absentee_count = len(present_ids), len(absent)
        meeting.quorum_met, meeting.quorum_note = check_quorum(
            meeting=meeting, present_ids=present_ids, attendee_count=len(present_ids)
        )
    else:
        attendee_count, absentee_count = attendee_count or 0, absentee_count or 0
        if attendee_count < 0 or absentee_count < 0:
            raise ValidationError({"attendee_count": _("人数不能为负数。")})
        size = roster_size(branch_id)
        if attendee_count + absentee_count > size:
            raise ValidationError(
                {
                    "attendee_count": _("实到与缺席人数合计（%(a)d）超过本支部在册党员人数（%(m)d）。")
                    % {"a": attendee_count + absentee_count, "m": size}
                }
            )
        meeting.attendance.all().delete()
        meeting.attendee_count, meeting.absentee_count = attendee_count, absentee_count
        meeting.quorum_met, meeting.quorum_note = check_quorum(
            meeting=meeting, present_ids=None, attendee_count=attendee_count
        )
    meeting.save(update_fields=["attendee_count", "absentee_count", "quorum_met", "quorum_note"])
