"""Every write of the supervision app, except the monthly run (letters.py)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.due_items import DueItem
from apps.core.periods import Period
from apps.core.scoping import ensure_org_in_scope, ensure_perm, org_in_scope
from apps.organizations.models import Organization

from .choices import AccountabilityKind, AccountabilityStatus, LetterKind, LetterStatus, RecordStatus
from .letters import BATCH_SIZE, IssueResult, _insert_letters, letter_template, letters_issue_monthly
from .models import (
    Accountability,
    Finding,
    InspectionPlan,
    InspectionRecord,
    Letter,
    LetterAttachment,
    LetterRule,
    ObservationScore,
    ObservationVisit,
)

if TYPE_CHECKING:
    from apps.accounts.models import User

__all__ = ["BATCH_SIZE", "IssueResult", "letters_issue_monthly"]


def _user_org_is(user: Any, org_id: int) -> bool:
    return bool(user.is_authenticated and user.organization_id == org_id)


#: A letter lists at most this many items (pages and API alike).
MAX_LETTER_ITEMS = 200


@transaction.atomic
def letter_create_manual(
    *,
    acting_user: User,
    issuer: Organization,
    addressee: Organization,
    kind: str,
    period: Period | str,
    items: Sequence[DueItem | str],
    response_days: int | None = None,
) -> Letter:
    """A letter written by hand from any list of items (due items, or plain text lines)."""
    ensure_perm(acting_user, "supervision.issue_letter")
    ensure_org_in_scope(acting_user, issuer)
    ensure_org_in_scope(acting_user, addressee)
    period = Period.parse(period)
    if kind not in LetterKind.values:
        raise ValidationError({"kind": _("函件类别无效。")})
    if not addressee.is_descendant_of(issuer):
        raise ValidationError({"addressee": _("收函单位须为发函单位的下级党组织。")})
    due = [
        it if isinstance(it, DueItem) else DueItem(addressee.pk, "manual", it.strip(), None, "")
        for it in items
        if (it.title if isinstance(it, DueItem) else it).strip()
    ]
    if not due:
        raise ValidationError({"items": _("请至少填写一项函件事项。")})
    if len(due) > MAX_LETTER_ITEMS:
        raise ValidationError({"items": _("一份函件最多%(n)d项事项，请分函发出。") % {"n": MAX_LETTER_ITEMS}})
    if Letter.objects.filter(issuer=issuer, addressee=addressee, kind=kind, period=str(period)).exists():
        raise ValidationError(
            {"kind": _("%(period)s已向该组织发出过同类函件（每月每类至多一份）。") % {"period": period.label}}
        )
    rule = LetterRule.objects.filter(issuer=issuer).first()
    days = response_days or (rule.response_days if rule else 7)
    issued_on = timezone.localdate()
    ids, _existing = _insert_letters(
        issuer=issuer,
        kind=kind,
        period=period,
        issued_on=issued_on,
        deadline=issued_on + datetime.timedelta(days=days),
        by_addressee={addressee.pk: due},
        paths={addressee.pk: addressee.path},
        names={addressee.pk: addressee.name},
        template=letter_template(issuer.pk, kind),
        is_manual=True,
        created_by_id=acting_user.pk,
    )
    if not ids:
        raise ValidationError({"kind": _("该月已有同类函件。")})
    letter = Letter.objects.get(pk=ids[0])
    audit_record(actor=acting_user, event="letter.create", obj=letter, after=snapshot(letter))
    return letter


def letter_mark_read(*, user: Any, letter: Letter) -> Letter:
    """Read receipt: the first time a user of the addressee opens the letter."""
    if letter.status != LetterStatus.SENT or not _user_org_is(user, letter.addressee_id):
        return letter
    with transaction.atomic():
        now = timezone.now()
        updated = Letter.objects.filter(pk=letter.pk, status=LetterStatus.SENT).update(
            status=LetterStatus.READ, read_at=now, read_by=user
        )
        if updated:
            letter.status, letter.read_at, letter.read_by = LetterStatus.READ, now, user
            audit_record(actor=user, event="letter.read", obj=letter, note=_("签收"))
    return letter


@transaction.atomic
def letter_answer(*, acting_user: User, letter: Letter, answer: str, files: Sequence[Any] = ()) -> Letter:
    """The addressee answers (text and attachments)."""
    ensure_perm(acting_user, "supervision.answer_letter")
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if not _user_org_is(acting_user, letter.addressee_id):
        raise PermissionDenied(_("只有收函单位可以答复函件。"))
    if letter.status == LetterStatus.CLOSED:
        raise ValidationError({"answer": _("函件已办结，不能再答复。")})
    if not answer.strip():
        raise ValidationError({"answer": _("请填写答复内容。")})
    from apps.responsibility.validators import validate_attachment  # same file rules as ledger attachments

    for f in files:
        try:
            validate_attachment(f)
        except ValidationError as exc:
            raise ValidationError({"files": exc.messages}) from exc
    before = snapshot(letter, ["status", "answer"])
    now = timezone.now()
    letter.answer, letter.answered_at, letter.answered_by = answer.strip(), now, acting_user
    if letter.read_at is None:
        letter.read_at, letter.read_by = now, acting_user
    letter.status = LetterStatus.ANSWERED
    letter.save(update_fields=["answer", "answered_at", "answered_by", "read_at", "read_by", "status"])
    for f in files:
        LetterAttachment.objects.create(letter=letter, file=f, name=f.name[:200], uploaded_by=acting_user)
    audit_record(
        actor=acting_user,
        event="letter.answer",
        obj=letter,
        before=before,
        after=snapshot(letter, ["status", "answer"]),
    )
    from apps.notifications.models import NoticeCategory
    from apps.notifications.services import notify_orgs

    transaction.on_commit(
        lambda: notify_orgs(
            org_ids=[letter.issuer_id],
            category=NoticeCategory.LETTER,
            title=f"{letter.addressee.name}已答复{letter}",
            link=letter.get_absolute_url(),
            dedupe_key=f"letter_answer:{letter.pk}:{now.timestamp():.0f}",
        )
    )
    return letter


@transaction.atomic
def letter_close(*, acting_user: User, letter: Letter, note: str = "") -> Letter:
    """The issuer (or an organization above it) closes an answered letter."""
    ensure_perm(acting_user, "supervision.close_letter")
    letter = Letter.objects.select_for_update().select_related("issuer").get(pk=letter.pk)
    ensure_org_in_scope(acting_user, letter.issuer)
    if letter.status == LetterStatus.CLOSED:
        raise ValidationError({"note": _("函件已办结。")})
    if letter.status != LetterStatus.ANSWERED and not note.strip():
        raise ValidationError({"note": _("收函单位尚未答复，办结须填写办结意见。")})
    before = snapshot(letter, ["status"])
    letter.status, letter.closed_at, letter.closed_by, letter.close_note = (
        LetterStatus.CLOSED, timezone.now(), acting_user, note.strip()[:500],
    )  # fmt: skip
    letter.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
    audit_record(actor=acting_user, event="letter.close", obj=letter, before=before, after=snapshot(letter, ["status"]))
    return letter


@transaction.atomic
def accountability_create(
    *, acting_user: User, organization: Organization, period: Period | str, basis: str, letters: Sequence[Letter] = ()
) -> Accountability:
    ensure_perm(acting_user, "supervision.add_accountability")
    ensure_org_in_scope(acting_user, organization)
    if not acting_user.organization or acting_user.organization_id == organization.pk:
        raise ValidationError({"organization": _("问责对象须为本单位的下级党组织。")})
    if not basis.strip():
        raise ValidationError({"basis": _("请填写问责依据。")})
    acc = Accountability.objects.create(
        issuer=acting_user.organization,
        organization=organization,
        org_path=organization.path,
        period=str(Period.parse(period)),
        basis=basis.strip(),
    )
    acc.letters.set(letters)
    audit_record(actor=acting_user, event="accountability.create", obj=acc, after=snapshot(acc))
    return acc


@transaction.atomic
def accountability_decide(
    *,
    acting_user: User,
    accountability: Accountability,
    kind: str,
    decision: str,
    decided_on: datetime.date | None = None,
) -> Accountability:
    ensure_perm(acting_user, "supervision.change_accountability")
    acc = Accountability.objects.select_for_update().select_related("issuer").get(pk=accountability.pk)
    ensure_org_in_scope(acting_user, acc.issuer)
    if kind not in AccountabilityKind.values or kind == AccountabilityKind.PENDING:
        raise ValidationError({"kind": _("请选择问责方式。")})
    if not decision.strip():
        raise ValidationError({"decision": _("请填写处理决定。")})
    before = snapshot(acc)
    acc.kind, acc.decision = kind, decision.strip()
    acc.decided_on = decided_on or timezone.localdate()
    acc.status = AccountabilityStatus.DECIDED
    acc.save(update_fields=["kind", "decision", "decided_on", "status"])
    audit_record(actor=acting_user, event="accountability.decide", obj=acc, before=before, after=snapshot(acc))
    return acc


def _plan_targets(plan: InspectionPlan) -> Any:
    qs = Organization.objects.active().in_subtree(plan.target_root)
    if plan.target_kinds:
        qs = qs.filter(kind__in=plan.target_kinds)
    if plan.target_sectors:
        qs = qs.filter(sector__in=plan.target_sectors)
    return qs.exclude(pk=plan.organization_id)


@transaction.atomic
def inspection_plan_create(
    *,
    acting_user: User,
    organization: Organization,
    topic: str,
    period: Period | str,
    target_root: Organization,
    target_kinds: Sequence[str] = (),
    target_sectors: Sequence[str] = (),
    inspectors: Sequence[Any] = (),
    method_reports: bool = True,
    method_documents: bool = True,
    method_site_visit: bool = False,
    start_on: datetime.date | None = None,
    end_on: datetime.date | None = None,
) -> InspectionPlan:
    """Create a plan and one record per target organization (set-based)."""
    ensure_perm(acting_user, "supervision.add_inspectionplan")
    ensure_org_in_scope(acting_user, organization)
    ensure_org_in_scope(acting_user, target_root)
    if not target_root.is_descendant_of(organization, include_self=True):
        raise ValidationError({"target_root": _("督查范围须在组织单位的管辖范围内。")})
    if not topic.strip():
        raise ValidationError({"topic": _("请填写督查主题。")})
    if not (method_reports or method_documents or method_site_visit):
        raise ValidationError({"method_reports": _("请至少选择一种督查方式。")})
    if start_on and end_on and end_on < start_on:
        raise ValidationError({"end_on": _("结束日期不能早于开始日期。")})
    plan = InspectionPlan.objects.create(
        organization=organization,
        topic=topic.strip(),
        period=str(Period.parse(period)),
        target_root=target_root,
        target_kinds=list(target_kinds),
        target_sectors=list(target_sectors),
        method_reports=method_reports,
        method_documents=method_documents,
        method_site_visit=method_site_visit,
        start_on=start_on,
        end_on=end_on,
        created_by=acting_user,
    )
    for user in inspectors:  # from the acting user's subtree, or from above (a city inspector on a district plan)
        org = user.organization
        if org is None or not (org_in_scope(acting_user, org) or organization.is_descendant_of(org, include_self=True)):
            raise ValidationError({"inspectors": _("督查组成员须为本单位、下级或上级党组织的用户。")})
    plan.inspectors.set(inspectors)
    targets = list(_plan_targets(plan).values_list("id", "path")[:5000])
    if not targets:
        raise ValidationError({"target_root": _("督查范围内没有符合条件的党组织。")})
    InspectionRecord.objects.bulk_create(
        [InspectionRecord(plan=plan, target_id=oid, org_path=path) for oid, path in targets], batch_size=1000
    )
    audit_record(actor=acting_user, event="inspectionplan.create", obj=plan, after=snapshot(plan))
    return plan


@transaction.atomic
def inspection_record_update(
    *,
    acting_user: User,
    record: InspectionRecord,
    summary: str,
    inspected_on: datetime.date | None,
    score: Decimal | None = None,
) -> InspectionRecord:
    ensure_perm(acting_user, "supervision.change_inspectionrecord")
    ensure_org_in_scope(acting_user, record.plan.organization)
    if score is not None and not (0 <= score <= 100):
        raise ValidationError({"score": _("得分应在0到100之间。")})
    if not summary.strip():
        raise ValidationError({"summary": _("请填写督查情况。")})
    before = snapshot(record)
    record.summary, record.inspected_on, record.score = summary.strip(), inspected_on, score
    record.inspector, record.status = acting_user, RecordStatus.DONE
    record.save()
    audit_record(actor=acting_user, event="inspectionrecord.update", obj=record, before=before, after=snapshot(record))
    return record


@transaction.atomic
def finding_create(
    *,
    acting_user: User,
    record: InspectionRecord,
    category: str,
    description: str,
    severity: str = "minor",
    rectify_by: datetime.date | None = None,
) -> Finding:
    """Record a finding; it becomes a problem item in the target's problem list, linked both ways."""
    ensure_perm(acting_user, "supervision.add_finding")
    ensure_org_in_scope(acting_user, record.plan.organization)
    if not description.strip():
        raise ValidationError({"description": _("请填写问题描述。")})
    if not category.strip():
        raise ValidationError({"category": _("请填写问题类别。")})
    finding = Finding.objects.create(
        record=record,
        org_path=record.org_path,
        category=category.strip(),
        description=description.strip(),
        severity=severity,
        rectify_by=rectify_by,
        created_by=acting_user,
    )
    from .problems import problem_item_for_finding

    problem = problem_item_for_finding(acting_user=acting_user, finding=finding)
    finding.problem, finding.problem_ref = problem, f"responsibility.problemitem:{problem.pk}"
    finding.save(update_fields=["problem", "problem_ref"])
    audit_record(actor=acting_user, event="finding.create", obj=finding, after=snapshot(finding))
    return finding


@transaction.atomic
def observation_visit_create(
    *, acting_user: User, organization: Organization, title: str, period: Period | str, visit_on: datetime.date | None
) -> ObservationVisit:
    ensure_perm(acting_user, "supervision.add_observationvisit")
    ensure_org_in_scope(acting_user, organization)
    if not title.strip():
        raise ValidationError({"title": _("请填写观摩主题。")})
    visit = ObservationVisit.objects.create(
        organization=organization, title=title.strip(), period=str(Period.parse(period)), visit_on=visit_on
    )
    audit_record(actor=acting_user, event="observationvisit.create", obj=visit, after=snapshot(visit))
    return visit


@transaction.atomic
def observation_score_set(
    *, acting_user: User, visit: ObservationVisit, target: Organization, score: Decimal, comment: str = ""
) -> ObservationScore:
    ensure_perm(acting_user, "supervision.add_observationscore")
    ensure_org_in_scope(acting_user, visit.organization)
    ensure_org_in_scope(acting_user, target)
    if not target.is_descendant_of(visit.organization):
        raise ValidationError({"target": _("被观摩组织须为组织单位的下级党组织。")})
    if not (0 <= score <= 100):
        raise ValidationError({"score": _("得分应在0到100之间。")})
    obj, _created = ObservationScore.objects.update_or_create(
        visit=visit, target=target, defaults={"score": score, "comment": comment.strip(), "org_path": target.path}
    )
    audit_record(actor=acting_user, event="observationscore.set", obj=obj, after=snapshot(obj), org_path=target.path)
    return obj
