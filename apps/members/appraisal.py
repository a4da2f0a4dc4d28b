"""民主评议党员: a branch's yearly appraisal, its cap on 优秀, and the handling of members rated 不合格."""

from __future__ import annotations

import datetime
import math
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.params import get_param
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.organizations.choices import BRANCH_KINDS

from .appraisal_models import (
    Appraisal,
    AppraisalEntry,
    AppraisalLevel,
    AppraisalStatus,
    HandlingMeasure,
    HandlingOutcome,
    UnqualifiedHandling,
)
from .choices import MemberStatus
from .models import Member

CAP_RULE = _("评为优秀的党员一般不超过参评党员的%(cap)s")


def excellent_cap() -> Fraction:
    try:
        value = Fraction(get_param("appraisal_excellent_cap").strip())
    except (ValueError, ZeroDivisionError):
        value = Fraction(1, 3)
    return min(max(value, Fraction(0)), Fraction(1))


def max_excellent(n: int) -> int:
    return math.floor(n * excellent_cap())


@transaction.atomic
def appraisal_open(*, acting_user: Any, organization: Any, year: int) -> Appraisal:
    """Start a branch's appraisal for a year with one line per member in good standing (set-based)."""
    ensure_perm(acting_user, "members.add_appraisal")
    ensure_org_in_scope(acting_user, organization)
    if organization.kind not in BRANCH_KINDS:
        raise ValidationError({"organization": _("民主评议党员以党支部为单位进行，请选择党支部。")})
    if not 2000 <= year <= timezone.localdate().year:
        raise ValidationError({"year": _("年度不正确。")})
    if Appraisal.objects.filter(organization=organization, year=year).exists():
        raise ValidationError({"year": _("该党支部%(y)d年的民主评议已经开始。") % {"y": year}})
    appraisal = Appraisal.objects.create(
        organization=organization, org_path=organization.path, year=year, created_by=acting_user
    )
    member_ids = Member.objects.filter(organization=organization, status=MemberStatus.ACTIVE).values_list(
        "id", flat=True
    )
    AppraisalEntry.objects.bulk_create(
        [AppraisalEntry(appraisal=appraisal, member_id=mid, org_path=organization.path) for mid in member_ids]
    )
    audit_record(actor=acting_user, event="appraisal.create", obj=appraisal, after=snapshot(appraisal))
    return appraisal


def _locked(appraisal: Appraisal) -> None:
    if appraisal.status == AppraisalStatus.DECIDED:
        raise ValidationError({"__all__": _("党员大会已评定，不能再修改。")})


def _entries(appraisal: Appraisal, ids: Any) -> dict[int, AppraisalEntry]:
    entries = {e.member_id: e for e in appraisal.entries.select_for_update().filter(member_id__in=list(ids))}
    unknown = set(ids) - set(entries)
    if unknown:
        raise ValidationError({"member": _("有党员不在本次评议名单中。")})
    return entries


SELF_RULE = _("个人自评在支部委员会提出评定意见之前进行（先自评、再互评和民主测评，后组织评定）")
SELF_MAX = 2000


def may_self_assess(user: Any, entry: AppraisalEntry) -> bool:
    """The member themself (an account linked to the member) or whoever runs the branch's appraisal."""
    return bool(user.member_id and user.member_id == entry.member_id) or user.has_perm("members.change_appraisal")


def self_assessment_open(appraisal: Appraisal) -> bool:
    return appraisal.status == AppraisalStatus.OPEN and appraisal.committee_on is None


@transaction.atomic
def appraisal_record_self(
    *, acting_user: Any, appraisal: Appraisal, member_id: int, text: str, on: datetime.date | None = None
) -> AppraisalEntry:
    """个人自评: entered by the member (their own line only) or, from a paper form, by the branch; allowed while
    the appraisal is open and before the committee's proposal; every change audited with the old text."""
    ensure_org_in_scope(acting_user, appraisal.organization)
    entry = _entries(appraisal, [member_id])[member_id]
    if not may_self_assess(acting_user, entry):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("只有党员本人或负责民主评议的支部可以填写个人自评。"))
    if not self_assessment_open(appraisal):
        raise ValidationError(
            {"self_assessment": _("%(rule)s，本次评议已不能再填写或修改自评。") % {"rule": SELF_RULE}}
        )
    text = (text or "").strip()
    on = on or timezone.localdate()
    errors = {}
    if not text:
        errors["self_assessment"] = _("请填写个人自评。")
    elif len(text) > SELF_MAX:
        errors["self_assessment"] = _("个人自评最多%(n)d字，现为%(m)d字。") % {"n": SELF_MAX, "m": len(text)}
    if on > timezone.localdate():
        errors["self_assessed_on"] = _("自评日期不能晚于今天。")
    elif on.year < appraisal.year:
        errors["self_assessed_on"] = _("自评日期不能早于评议年度（%(y)d年）。") % {"y": appraisal.year}
    if errors:
        raise ValidationError(errors)
    fields = ["self_assessment", "self_assessed_on"]
    before = snapshot(entry, fields)
    entry.self_assessment, entry.self_assessed_on = text, on
    entry.save(update_fields=fields)
    audit_record(
        actor=acting_user,
        event="appraisal_entry.self_assess",
        obj=entry,
        before=before,
        after=snapshot(entry, fields),
        note=_("本人填写") if acting_user.member_id == member_id else _("代为录入"),
    )
    return entry


VOTE_FIELDS = ("votes_excellent", "votes_qualified", "votes_basic", "votes_unqualified")


@transaction.atomic
def appraisal_record_votes(
    *, acting_user: Any, appraisal: Appraisal, votes: dict[int, tuple[int, int, int, int]]
) -> int:
    """Mutual evaluation (民主测评) tallies per member: excellent, qualified, basic, unqualified."""
    ensure_perm(acting_user, "members.change_appraisal")
    ensure_org_in_scope(acting_user, appraisal.organization)
    _locked(appraisal)
    entries = _entries(appraisal, votes.keys())
    voters = appraisal.entries.count()
    for mid, tally in votes.items():
        if len(tally) != 4 or any(int(v) < 0 for v in tally):
            raise ValidationError({"votes": _("测评票数应为不小于0的整数。")})
        if sum(int(v) for v in tally) > voters:
            raise ValidationError(
                {
                    "votes": _("%(n)s的测评票数合计超过参评人数（%(v)d）。")
                    % {"n": entries[mid].member.name, "v": voters}
                }
            )
        for field, value in zip(VOTE_FIELDS, tally, strict=True):
            setattr(entries[mid], field, int(value))
    AppraisalEntry.objects.bulk_update(entries.values(), list(VOTE_FIELDS))
    audit_record(actor=acting_user, event="appraisal.votes", obj=appraisal, note=_("%(n)d人") % {"n": len(votes)})
    return len(votes)


def _check_levels(appraisal: Appraisal, levels: dict[int, str], field: str) -> None:
    if any(level not in AppraisalLevel.values for level in levels.values()):
        raise ValidationError({field: _("等次只能为：优秀、合格、基本合格、不合格。")})
    n = appraisal.entries.count()
    current = dict(appraisal.entries.values_list("member_id", field))
    current.update(levels)
    excellent = sum(1 for v in current.values() if v == AppraisalLevel.EXCELLENT)
    limit = max_excellent(n)
    if excellent > limit:
        cap = excellent_cap()
        raise ValidationError(
            {
                field: _("%(rule)s：本支部参评%(n)d人，最多评%(m)d名优秀，现为%(e)d名。")
                % {"rule": CAP_RULE % {"cap": f"{cap.numerator}/{cap.denominator}"}, "n": n, "m": limit, "e": excellent}
            }
        )


@transaction.atomic
def appraisal_propose(
    *, acting_user: Any, appraisal: Appraisal, levels: dict[int, str], committee_on: datetime.date
) -> Appraisal:
    """The branch committee's proposed ratings (支委会提出评定意见)."""
    ensure_perm(acting_user, "members.change_appraisal")
    ensure_org_in_scope(acting_user, appraisal.organization)
    _locked(appraisal)
    _check_levels(appraisal, levels, "proposed_level")
    entries = _entries(appraisal, levels.keys())
    for mid, level in levels.items():
        entries[mid].proposed_level = level
    AppraisalEntry.objects.bulk_update(entries.values(), ["proposed_level"])
    appraisal.committee_on = committee_on
    appraisal.save(update_fields=["committee_on"])
    audit_record(actor=acting_user, event="appraisal.propose", obj=appraisal, note=str(committee_on))
    return appraisal


@transaction.atomic
def appraisal_decide(
    *, acting_user: Any, appraisal: Appraisal, levels: dict[int, str], meeting_on: datetime.date
) -> Appraisal:
    """The general meeting's decision (党员大会评定): every member rated, 优秀 within the cap."""
    ensure_perm(acting_user, "members.change_appraisal")
    ensure_org_in_scope(acting_user, appraisal.organization)
    _locked(appraisal)
    if appraisal.committee_on and meeting_on < appraisal.committee_on:
        raise ValidationError({"meeting_on": _("党员大会评定日期不能早于支委会提出意见日期。")})
    if meeting_on > timezone.localdate():
        raise ValidationError({"meeting_on": _("评定日期不能晚于今天。")})
    _check_levels(appraisal, levels, "final_level")
    from .votes import appraisal_vote_problem

    problem = appraisal_vote_problem(appraisal, meeting_on)
    if problem:
        raise ValidationError({"meeting_on": problem})
    entries = _entries(appraisal, levels.keys())
    for mid, level in levels.items():
        entries[mid].final_level = level
    AppraisalEntry.objects.bulk_update(entries.values(), ["final_level"])
    missing = appraisal.entries.filter(final_level="").count()
    if missing:
        raise ValidationError({"final_level": _("还有%(n)d名党员未评定等次。") % {"n": missing}})
    before = snapshot(appraisal)
    appraisal.meeting_on, appraisal.status = meeting_on, AppraisalStatus.DECIDED
    appraisal.save(update_fields=["meeting_on", "status"])
    audit_record(actor=acting_user, event="appraisal.decide", obj=appraisal, before=before, after=snapshot(appraisal))
    return appraisal


@transaction.atomic
def unqualified_handling_record(
    *,
    acting_user: Any,
    entry: AppraisalEntry,
    measure: str,
    proposed_on: datetime.date,
    deadline: datetime.date | None = None,
    outcome: str = "",
    outcome_on: datetime.date | None = None,
    note: str = "",
    reported_on: datetime.date | None = None,
) -> UnqualifiedHandling:
    """处置不合格党员: 限期改正 (with a deadline), 劝其退党 or 除名, then the outcome with its date.

    A 退党/除名 outcome changes the member's status, with the outcome date as the decision on record."""
    ensure_perm(acting_user, "members.change_appraisal")
    ensure_org_in_scope(acting_user, entry.appraisal.organization)
    errors: dict[str, str] = {}
    if entry.final_level != AppraisalLevel.UNQUALIFIED:
        errors["measure"] = _("只有党员大会评定为不合格的党员才需处置。")
    if measure not in HandlingMeasure.values:
        errors["measure"] = _("处置方式只能为：限期改正、劝其退党、除名。")
    if measure == HandlingMeasure.RECTIFY and not deadline:
        errors["deadline"] = _("限期改正须填写改正期限。")
    if deadline and deadline < proposed_on:
        errors["deadline"] = _("改正期限不能早于提出日期。")
    if outcome not in HandlingOutcome.values:
        errors["outcome"] = _("请选择有效的结果。")
    if outcome and not outcome_on:
        errors["outcome_on"] = _("请填写结果日期。")
    if outcome == HandlingOutcome.REMOVED and measure == HandlingMeasure.RECTIFY:
        errors["outcome"] = _("限期改正仍无转变的，应先提出劝退或除名处置。")
    if errors:
        raise ValidationError(errors)
    obj, created = UnqualifiedHandling.objects.update_or_create(
        entry=entry,
        defaults={
            "org_path": entry.org_path,
            "measure": measure,
            "proposed_on": proposed_on,
            "deadline": deadline,
            "outcome": outcome,
            "outcome_on": outcome_on,
            "note": note,
            "reported_on": reported_on,
        },
    )
    audit_record(
        actor=acting_user,
        event="unqualified_handling.create" if created else "unqualified_handling.update",
        obj=obj,
        after=snapshot(obj),
    )
    status = {HandlingOutcome.WITHDRAWN: MemberStatus.WITHDRAWN, HandlingOutcome.REMOVED: MemberStatus.REMOVED}.get(
        outcome
    )
    member = entry.member
    if status and member.status != status:
        before = snapshot(member, ["status", "status_changed_on"])
        Member.objects.filter(pk=member.pk).update(status=status, status_changed_on=outcome_on)
        member.refresh_from_db()
        audit_record(
            actor=acting_user,
            event="member.status",
            obj=member,
            before=before,
            after=snapshot(member, ["status", "status_changed_on"]),
            note=_("处置不合格党员"),
        )
    return obj


def appraisal_counts(*, user: Any, root_path: str, year: int) -> dict[str, Any]:
    """Counts per level and handled 不合格 members in a subtree for a year (2 GROUP BY queries)."""
    entries = AppraisalEntry.objects.visible_to(user).filter(
        org_path__startswith=root_path, appraisal__year=year, appraisal__status=AppraisalStatus.DECIDED
    )
    by_level = dict(entries.values_list("final_level").annotate(n=Count("id")).order_by())
    handling = UnqualifiedHandling.objects.visible_to(user).filter(
        org_path__startswith=root_path, entry__appraisal__year=year
    )
    by_measure = dict(handling.values_list("measure").annotate(n=Count("id")).order_by())
    return {
        "levels": [(label, by_level.get(code, 0)) for code, label in AppraisalLevel.choices],
        "total": sum(by_level.values()),
        "handled": handling.count(),
        "measures": [(label, by_measure.get(code, 0)) for code, label in HandlingMeasure.choices],
        "branches": Appraisal.objects.visible_to(user)
        .filter(org_path__startswith=root_path, year=year, status=AppraisalStatus.DECIDED)
        .count(),
        "open": Appraisal.objects.visible_to(user)
        .filter(Q(org_path__startswith=root_path), year=year, status=AppraisalStatus.OPEN)
        .count(),
    }
