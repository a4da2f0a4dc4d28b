"""述职评议: the secretary submits the year's duty report; the review meeting's ratings are recorded."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.organizations.models import Organization

from .choices import DutyReportStatus, Rating
from .models import DutyReport
from .rules import vote_share


def _check_attachment(file: Any) -> None:
    if not file:
        return
    from apps.responsibility.validators import validate_attachment

    try:
        validate_attachment(file)
    except ValidationError as exc:
        raise ValidationError({"attachment": exc.messages}) from exc


@transaction.atomic
def duty_report_save(
    *,
    acting_user: Any,
    organization: Organization,
    year: int,
    reporter_name: str,
    title: str,
    text: str,
    attachment: Any = None,
    submit: bool = False,
) -> DutyReport:
    """Write (or rewrite, until it is reviewed) the organization's report for the year; ``submit`` sends it."""
    ensure_perm(acting_user, "assessment.add_dutyreport")
    ensure_org_in_scope(acting_user, organization)
    errors = {}
    if not reporter_name.strip():
        errors["reporter_name"] = _("请填写述职人。")
    if not title.strip():
        errors["title"] = _("请填写标题。")
    if submit and len(text.strip()) < 20:
        errors["text"] = _("述职内容过短（至少20字）。")
    if not (2000 <= int(year) <= timezone.localdate().year + 1):
        errors["year"] = _("年度不正确。")
    if errors:
        raise ValidationError(errors)
    _check_attachment(attachment)
    report = DutyReport.objects.select_for_update().filter(organization=organization, year=year).first()
    before = snapshot(report) if report else None
    if report and report.status == DutyReportStatus.REVIEWED:
        raise ValidationError({"__all__": _("述职报告已评议，不能再修改。")})
    if report is None:
        report = DutyReport(organization=organization, org_path=organization.path, year=year)
    report.reporter_name = reporter_name.strip()
    report.title = title.strip()
    report.text = text.strip()
    if attachment:
        report.attachment = attachment
    if submit:
        report.status = DutyReportStatus.SUBMITTED
        report.submitted_at = timezone.now()
        report.submitted_by = acting_user if acting_user.pk else None
    report.save()
    audit_record(
        actor=acting_user,
        event="dutyreport.submit" if submit else ("dutyreport.update" if before else "dutyreport.create"),
        obj=report,
        before=before,
        after=snapshot(report),
    )
    return report


def rating_from_votes(counts: dict[str, int]) -> str:
    """The overall rating from the meeting's votes: ≥ 90% 好, ≥ 75% 较好, ≥ 60% 一般, else 差 (weighted)."""
    share = vote_share(counts)
    if share is None:
        return ""
    for bound, rating in ((0.9, Rating.GOOD), (0.75, Rating.FAIR), (0.6, Rating.AVERAGE)):
        if share >= bound:
            return rating
    return Rating.POOR


@transaction.atomic
def duty_report_review(
    *, acting_user: Any, report: DutyReport, good: int, fair: int, average: int, poor: int, comment: str = ""
) -> DutyReport:
    """Record the review meeting's ratings (票数) of a submitted report; an organization above reviews it."""
    ensure_perm(acting_user, "assessment.review_dutyreport")
    ensure_org_in_scope(acting_user, report.organization)
    if acting_user.organization_id == report.organization_id:
        raise ValidationError({"__all__": _("述职报告由上级党组织评议。")})
    report = DutyReport.objects.select_for_update().get(pk=report.pk)
    if report.status == DutyReportStatus.DRAFT:
        raise ValidationError({"__all__": _("述职报告尚未提交。")})
    counts = {"good": good, "fair": fair, "average": average, "poor": poor}
    if any(n is None or n < 0 for n in counts.values()):
        raise ValidationError({"votes_good": _("票数不能为负数。")})
    if not sum(counts.values()):
        raise ValidationError({"votes_good": _("请录入评议票数。")})
    before = snapshot(report)
    report.votes_good, report.votes_fair, report.votes_average, report.votes_poor = good, fair, average, poor
    report.rating = rating_from_votes(counts)
    report.review_comment = comment.strip()
    report.status = DutyReportStatus.REVIEWED
    report.reviewed_at = timezone.now()
    report.reviewed_by = acting_user if acting_user.pk else None
    report.save()
    audit_record(actor=acting_user, event="dutyreport.review", obj=report, before=before, after=snapshot(report))
    return report
