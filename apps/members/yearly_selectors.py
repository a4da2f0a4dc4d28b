"""Reads for the member page: the member's year at a glance (党龄, card, points, dues)."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.utils import timezone

from .appraisal_models import PointEntry
from .cards import member_card
from .contact_models import MobileRecord
from .dues_collection import dues_status_for


def member_yearly_panel(*, member: Any) -> dict[str, Any]:
    year = timezone.localdate().year
    return {
        "yearly": {
            "standing": member.party_standing,
            "card": member_card(member=member),
            "year": year,
            "points": PointEntry.objects.filter(member=member, year=year).aggregate(s=Sum("points"))["s"] or 0,
            "dues": dues_status_for([member])[member.pk],
            "mobile": MobileRecord.objects.filter(member=member, ended_on__isnull=True).first(),
        }
    }


def self_assessment_panel(*, user: Any) -> dict[str, Any]:
    """Home panel for a member's own account: the open appraisals waiting for (or allowing) their 个人自评."""
    from .appraisal_models import AppraisalEntry, AppraisalStatus

    if not getattr(user, "member_id", None):
        return {"kind": None}
    entries = list(
        AppraisalEntry.objects.filter(
            member_id=user.member_id, appraisal__status=AppraisalStatus.OPEN, appraisal__committee_on__isnull=True
        )
        .select_related("appraisal__organization")
        .order_by("-appraisal__year")[:3]
    )
    return {"kind": "self_assessment", "entries": entries} if entries else {"kind": None}
