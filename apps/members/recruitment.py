"""发展党员: every step of the recruitment pipeline (services), checked against domain.md §3.

Interval rules come from the ``RecruitmentRule`` table (data, editable in admin); the checks that are not
intervals between two dates (age, contacts, introducers, training length, probation extension) are here and
name their rule too. Admission creates the probationary Member; confirmation makes it a full member.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.params import get_int_param
from apps.core.periods import add_months, add_years
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.core.uploads import DOCUMENT_KINDS, UploadRefused, check_uploaded_file
from apps.organizations.models import Organization

from .choices import STAGE_ORDER, Category, MemberStatus
from .choices import RecruitmentStage as Stage
from .models import Member, Recruitment, RecruitmentDocument, RecruitmentRule
from .validators import normalize_id_number, validate_id_number

if TYPE_CHECKING:
    from apps.accounts.models import User

DATE_FIELDS = [
    "applied_on",
    "talked_on",
    "activist_on",
    "activist_filed_on",
    "candidate_on",
    "candidate_filed_on",
    "political_review_on",
    "training_start",
    "training_end",
    "committee_review_on",
    "pre_review_on",
    "publicity_start",
    "publicity_end",
    "branch_vote_on",
    "approved_on",
    "oath_on",
    "confirmation_applied_on",
    "confirmation_vote_on",
    "confirmed_on",
]
EDITABLE_FIELDS = [
    *DATE_FIELDS,
    "name",
    "gender",
    "ethnicity",
    "education",
    "phone",
    "work_unit",
    "is_league_member",
    "talked_by",
    "league_recommended",
    "political_review_conclusion",
    "training_hours",
    "approval_delay_reason",
    "note",
]

#: What must be filled to enter each stage.
STAGE_REQUIRES: dict[str, list[str]] = {
    Stage.ACTIVIST: ["activist_on"],
    Stage.CANDIDATE: ["candidate_on"],
    Stage.PROBATIONARY: ["political_review_on", "training_start", "training_end", "branch_vote_on", "approved_on"],
    Stage.FULL: ["confirmation_vote_on", "confirmed_on"],
}


def _field_label(name: str) -> str:
    return str(Recruitment._meta.get_field(name).verbose_name)


def _interval_bounds(rule: RecruitmentRule, start: datetime.date) -> tuple[datetime.date, datetime.date | None]:
    low = add_months(start, rule.min_months or 0) + datetime.timedelta(days=rule.min_days or 0)
    high = None
    if rule.max_months is not None or rule.max_days is not None:
        high = add_months(start, rule.max_months or 0) + datetime.timedelta(days=rule.max_days or 0)
    return low, high


def rule_violations(rec: Recruitment) -> dict[str, str]:
    """Interval rules (data) broken by the dates now on ``rec``: {to_field: message}."""
    errors: dict[str, str] = {}
    for rule in RecruitmentRule.objects.filter(is_active=True):
        start, end = getattr(rec, rule.from_field, None), getattr(rec, rule.to_field, None)
        if not start or not end:
            continue
        if rule.waived_by and getattr(rec, rule.waived_by, ""):
            continue
        low, high = _interval_bounds(rule, start)
        if end < low or (high is not None and end > high):
            errors.setdefault(rule.to_field, rule.message)
    return errors


def _check_age(rec: Recruitment) -> dict[str, str]:
    min_age = get_int_param("recruitment_min_age")
    if rec.birth_date and rec.applied_on and add_years(rec.birth_date, min_age) > rec.applied_on:
        return {
            "applied_on": _("递交入党申请时须年满%(n)s周岁（《中国共产党章程》第一条），按身份证号出生日期为%(b)s。")
            % {"n": min_age, "b": rec.birth_date.isoformat()}
        }
    return {}


def _check_people(
    rec: Recruitment, *, contacts: list[Member] | None = None, introducers: list[Member] | None = None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if contacts is not None:
        if not 1 <= len(contacts) <= 2:
            errors["contacts"] = _("须为入党积极分子指定一至两名正式党员作培养联系人（《发展党员工作细则》第十一条）。")
        elif any(m.category != Category.FULL or m.status != MemberStatus.ACTIVE for m in contacts):
            errors["contacts"] = _("培养联系人须为正式党员（《发展党员工作细则》第十一条）。")
    if introducers is not None:
        vote = rec.branch_vote_on or timezone.localdate()
        if len(introducers) != 2:
            errors["introducers"] = _("发展对象须有两名正式党员作入党介绍人（《发展党员工作细则》第十四条）。")
        elif any(
            m.status != MemberStatus.ACTIVE
            or m.category != Category.FULL
            or (m.confirmed_on is not None and m.confirmed_on > vote)
            for m in introducers
        ):
            errors["introducers"] = _("入党介绍人在支部大会讨论时须为正式党员（《发展党员工作细则》第十四条）。")
        elif any(m.under_probation_discipline(vote) for m in introducers):
            errors["introducers"] = _(
                "受留党察看处分、尚未恢复党员权利的党员，不能担任入党介绍人（《中国共产党纪律处分条例》第四十条）。"
            )
    return errors


def _check_training(rec: Recruitment) -> dict[str, str]:
    if not (rec.training_start and rec.training_end):
        return {}
    if rec.training_end < rec.training_start:
        return {"training_end": _("集中培训结束日期不能早于开始日期。")}
    days = (rec.training_end - rec.training_start).days + 1
    hours = rec.training_hours or 0
    min_days = get_int_param("recruitment_min_training_days")
    min_hours = get_int_param("recruitment_min_training_hours")
    if days < min_days and hours < min_hours:
        return {
            "training_end": _(
                "发展对象集中培训时间一般不少于%(d)s天（或不少于%(h)s个学时）（《发展党员工作细则》第十六条）。"
            )
            % {"d": min_days, "h": min_hours}
        }
    return {}


def recruitment_warnings(rec: Recruitment) -> list[str]:
    """Things worth showing but not refusing."""
    warnings = []
    league_age = get_int_param("recruitment_league_age")
    if (
        rec.is_league_member
        and rec.activist_on
        and rec.birth_date
        and add_years(rec.birth_date, league_age) > rec.activist_on
        and not rec.league_recommended
    ):
        warnings.append(_("28周岁以下的共青团员确定为入党积极分子，一般应经团组织推荐（推优）。"))
    if rec.approved_on and rec.branch_vote_on and rec.approved_on > add_months(rec.branch_vote_on, 3):
        warnings.append(_("上级党委审批超过三个月，已记录原因：%(r)s") % {"r": rec.approval_delay_reason})
    return warnings


#: The date each stage is entered, in stage order (申请 → 积极分子 → 发展对象 → 预备党员 → 正式党员).
STAGE_MILESTONES = ["applied_on", "activist_on", "candidate_on", "approved_on", "confirmed_on"]


def _check_order(rec: Recruitment) -> dict[str, str]:
    """Dates in stage order, none before the application, and a later stage's date needs the earlier ones
    (the interval rules only compare pairs that are both present)."""
    errors: dict[str, str] = {}
    applied = rec.applied_on
    if applied:
        for name in DATE_FIELDS:
            value = getattr(rec, name)
            if value and name != "applied_on" and value < applied:
                errors[name] = _("「%(f)s」不能早于递交入党申请日期（%(a)s）。") % {
                    "f": _field_label(name),
                    "a": applied.isoformat(),
                }
    for index, name in enumerate(STAGE_MILESTONES):
        value = getattr(rec, name)
        if not value or name in errors:
            continue
        for earlier in STAGE_MILESTONES[:index]:
            before = getattr(rec, earlier)
            if not before:
                errors[name] = _("填写「%(f)s」前须先填写「%(e)s」（按发展阶段顺序）。") % {
                    "f": _field_label(name),
                    "e": _field_label(earlier),
                }
                break
            if value < before:
                errors[name] = _("「%(f)s」不能早于「%(e)s」（按发展阶段顺序）。") % {
                    "f": _field_label(name),
                    "e": _field_label(earlier),
                }
                break
    return errors


def _validate(rec: Recruitment, **people: Any) -> None:
    errors = {**_check_order(rec), **_check_age(rec), **_check_training(rec), **_check_people(rec, **people)}
    for field, message in rule_violations(rec).items():
        errors.setdefault(field, message)
    today = timezone.localdate()
    for name in DATE_FIELDS:
        value = getattr(rec, name)
        if value and value > today:
            errors.setdefault(name, _("「%(f)s」不能晚于今天。") % {"f": _field_label(name)})
    if errors:
        raise ValidationError(errors)


def _ensure_can_write(user: Any, org: Organization) -> None:
    ensure_perm(user, "members.change_recruitment")
    ensure_org_in_scope(user, org)


@transaction.atomic
def recruitment_create(
    *,
    acting_user: User,
    organization: Organization,
    name: str,
    id_number: str,
    applied_on: datetime.date,
    **fields: Any,
) -> Recruitment:
    ensure_perm(acting_user, "members.add_recruitment")
    ensure_org_in_scope(acting_user, organization)
    if not organization.is_branch_like:
        raise ValidationError({"organization": _("入党申请应由党支部受理。")})
    try:
        info = validate_id_number(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from exc
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("该字段不能在此填写。")})
    rec = Recruitment(organization=organization, name=name, applied_on=applied_on, **fields)
    rec.id_number = normalize_id_number(id_number)
    rec.birth_date, rec.gender = info.birth_date, info.gender
    if Recruitment.objects.open().filter(id_hash=rec.id_hash).exists():
        raise ValidationError({"id_number": _("此人已有一条正在进行的发展党员记录。")})
    on_roll = Member.objects.active().filter(id_hash=rec.id_hash)
    if on_roll.exists():
        if not on_roll.visible_to(acting_user).exists():  # nothing about who is on the roll elsewhere
            raise ValidationError({"id_number": _("无法使用该号码，请联系上级党员信息管理员。")})
        raise ValidationError({"id_number": _("此人已是在册党员。")})
    _validate(rec)
    rec.full_clean(exclude=["id_hash"])
    rec.save()
    audit_record(actor=acting_user, event="recruitment.create", obj=rec, after=snapshot(rec))
    return rec


@transaction.atomic
def recruitment_update(
    *,
    acting_user: User,
    recruitment: Recruitment,
    contacts: list[Member] | None = None,
    introducers: list[Member] | None = None,
    **fields: Any,
) -> Recruitment:
    """Record dates, people and outcomes of steps without changing the stage; every rule is re-checked."""
    _ensure_can_write(acting_user, recruitment.organization)
    rec = Recruitment.objects.select_for_update(of=("self",)).get(pk=recruitment.pk)
    before = snapshot(rec)
    for key, value in fields.items():
        if key not in EDITABLE_FIELDS:
            raise ValidationError({key: _("该字段不能在此修改。")})
        setattr(rec, key, value)
    for people in (contacts or []) + (introducers or []):
        ensure_org_in_scope(acting_user, people.organization)
    _validate(rec, contacts=contacts, introducers=introducers)
    rec.full_clean(exclude=["id_hash"])
    rec.save()
    if contacts is not None:
        rec.contacts.set(contacts)
    if introducers is not None:
        rec.introducers.set(introducers)
    audit_record(actor=acting_user, event="recruitment.update", obj=rec, before=before, after=snapshot(rec))
    return rec


@transaction.atomic
def recruitment_advance(*, acting_user: User, recruitment: Recruitment, to_stage: str, **fields: Any) -> Recruitment:
    """Move to the next stage. Entering 预备党员 creates the Member; entering 正式党员 confirms it."""
    _ensure_can_write(acting_user, recruitment.organization)
    rec = (
        Recruitment.objects.select_for_update(of=("self",))
        .select_related("organization", "member")
        .get(pk=recruitment.pk)
    )
    if rec.stage not in STAGE_ORDER or to_stage not in STAGE_ORDER:
        raise ValidationError({"stage": _("该发展党员记录已结束，不能再推进。")})
    if STAGE_ORDER.index(to_stage) != STAGE_ORDER.index(rec.stage) + 1:
        raise ValidationError({"stage": _("只能从「%(a)s」推进到下一阶段。") % {"a": Stage(rec.stage).label}})
    before = snapshot(rec)
    for key, value in fields.items():
        if key not in EDITABLE_FIELDS:
            raise ValidationError({key: _("该字段不能在此修改。")})
        setattr(rec, key, value)
    missing = [name for name in STAGE_REQUIRES.get(to_stage, []) if not getattr(rec, name)]
    if missing:
        raise ValidationError(
            {
                name: _("进入「%(s)s」阶段须填写「%(f)s」。") % {"s": Stage(to_stage).label, "f": _field_label(name)}
                for name in missing
            }
        )
    people: dict[str, Any] = {}
    if to_stage == Stage.CANDIDATE:
        people["contacts"] = list(rec.contacts.all())
    if to_stage == Stage.PROBATIONARY:
        people["introducers"] = list(rec.introducers.all())
        rec.probation_ends_on = add_years(rec.branch_vote_on, 1)
    if to_stage == Stage.FULL and rec.probation_extended_months:
        rec.probation_ends_on = add_months(add_years(rec.branch_vote_on, 1), rec.probation_extended_months)
    _validate(rec, **people)
    _check_reviews_and_vote(rec, to_stage)
    rec.stage = to_stage
    rec.save()
    if to_stage == Stage.PROBATIONARY:
        rec.member = _admit(acting_user, rec)
        rec.save(update_fields=["member"])
    elif to_stage == Stage.FULL:
        _confirm(acting_user, rec)
    audit_record(actor=acting_user, event="recruitment.advance", obj=rec, before=before, after=snapshot(rec))
    return rec


def _check_reviews_and_vote(rec: Recruitment, to_stage: str) -> None:
    from .recruitment_reviews import activist_reviews_missing
    from .votes import admission_vote_problem, confirmation_vote_problem

    problem = None
    if to_stage == Stage.CANDIDATE:
        problem = activist_reviews_missing(rec, until=rec.candidate_on)
        field = "candidate_on"
    elif to_stage == Stage.PROBATIONARY:
        problem = admission_vote_problem(rec)
        field = "branch_vote_on"
    elif to_stage == Stage.FULL:
        problem = confirmation_vote_problem(rec)
        field = "confirmed_on"
    if problem:
        raise ValidationError({field: problem})


def _admit(acting_user: User, rec: Recruitment) -> Member:
    from .services import member_create, member_update

    fields = dict(
        name=rec.name,
        gender=rec.gender,
        ethnicity=rec.ethnicity,
        birth_date=rec.birth_date,
        education=rec.education,
        phone=rec.phone,
        work_unit=rec.work_unit,
        category=Category.PROBATIONARY,
        joined_on=rec.branch_vote_on,
        confirmed_on=None,
    )
    existing = Member.objects.filter(id_hash=rec.id_hash).exclude(status=MemberStatus.ACTIVE).first()
    if existing is not None:
        fields["organization"] = rec.organization
        return member_update(acting_user=acting_user, member=existing, **fields)
    return member_create(acting_user=acting_user, organization=rec.organization, id_number=rec.id_number, **fields)


def _confirm(acting_user: User, rec: Recruitment) -> Member:
    from .services import member_update

    if rec.member is None:
        raise ValidationError({"stage": _("未找到该预备党员的党员档案，无法转正。")})
    if rec.member.status != MemberStatus.ACTIVE:
        raise PermissionDenied(_("该党员党籍状态不是「正常」，不能转正。"))
    return member_update(
        acting_user=acting_user, member=rec.member, category=Category.FULL, confirmed_on=rec.confirmed_on
    )


@transaction.atomic
def recruitment_extend_probation(
    *, acting_user: User, recruitment: Recruitment, months: int, note: str = ""
) -> Recruitment:
    """预备期可以延长一次，时间为六个月至一年（《中国共产党章程》第七条）."""
    _ensure_can_write(acting_user, recruitment.organization)
    rec = Recruitment.objects.select_for_update(of=("self",)).select_related("member").get(pk=recruitment.pk)
    if rec.stage != Stage.PROBATIONARY:
        raise ValidationError({"probation_extended_months": _("只有预备党员可以延长预备期。")})
    if rec.probation_extended_months:
        raise ValidationError({"probation_extended_months": _("预备期只能延长一次（《中国共产党章程》第七条）。")})
    if not 6 <= months <= 12:
        raise ValidationError(
            {"probation_extended_months": _("延长预备期的时间须为六个月至一年（《中国共产党章程》第七条）。")}
        )
    before = snapshot(rec)
    rec.probation_extended_months = months
    rec.probation_ends_on = add_months(add_years(rec.branch_vote_on, 1), months)
    rec.save()
    if rec.member_id:
        Member.objects.filter(pk=rec.member_id).update(probation_ends_on=rec.probation_ends_on)
    audit_record(actor=acting_user, event="recruitment.extend", obj=rec, before=before, after=snapshot(rec), note=note)
    return rec


@transaction.atomic
def recruitment_stop(*, acting_user: User, recruitment: Recruitment, on: datetime.date, reason: str) -> Recruitment:
    """End the pipeline: 终止发展 before admission, 取消预备党员资格 during probation."""
    _ensure_can_write(acting_user, recruitment.organization)
    rec = Recruitment.objects.select_for_update(of=("self",)).select_related("member").get(pk=recruitment.pk)
    if not reason.strip():
        raise ValidationError({"note": _("请填写终止原因。")})
    if rec.stage in (Stage.FULL, Stage.CANCELLED, Stage.WITHDRAWN):
        raise ValidationError({"stage": _("该发展党员记录已结束。")})
    before = snapshot(rec)
    if rec.stage == Stage.PROBATIONARY:
        rec.stage = Stage.CANCELLED
        if rec.member_id:
            from .services import member_change_status

            member_change_status(
                acting_user=acting_user, member=rec.member, status=MemberStatus.REMOVED, on=on, note=reason
            )
    else:
        rec.stage = Stage.WITHDRAWN
    rec.note = (rec.note + "\n" if rec.note else "") + f"{on.isoformat()} {reason}"
    rec.save()
    audit_record(actor=acting_user, event="recruitment.stop", obj=rec, before=before, after=snapshot(rec), note=reason)
    return rec


DOCUMENT_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".ofd")


@transaction.atomic
def recruitment_add_document(
    *, acting_user: User, recruitment: Recruitment, stage: str, title: str, file: Any
) -> RecruitmentDocument:
    """Attach a document (申请书, 志愿书, 政审材料, 公示, 会议记录 …) to a step."""
    _ensure_can_write(acting_user, recruitment.organization)
    if stage not in Stage.values:
        raise ValidationError({"stage": _("请选择材料所属阶段。")})
    name = (getattr(file, "name", "") or "").lower()
    if not name.endswith(DOCUMENT_EXTENSIONS):
        raise ValidationError(
            {"file": _("材料只能是以下格式：%(e)s。") % {"e": "、".join(e.lstrip(".") for e in DOCUMENT_EXTENSIONS)}}
        )
    max_mb = get_int_param("recruitment_document_max_mb")
    if getattr(file, "size", 0) > max_mb * 1024 * 1024:
        raise ValidationError({"file": _("材料文件不能超过%(n)sMB。") % {"n": max_mb}})
    try:  # the real type by content (a renamed .exe or HTML is refused), the OOXML package checked
        check_uploaded_file(file, kinds=DOCUMENT_KINDS, max_bytes=max_mb * 1024 * 1024)
    except UploadRefused as exc:
        raise ValidationError({"file": exc.text}) from exc
    doc = RecruitmentDocument.objects.create(
        recruitment=recruitment,
        stage=stage,
        title=title.strip() or name,
        file=file,
        uploaded_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    audit_record(
        actor=acting_user,
        event="recruitment.document",
        obj=recruitment,
        note=f"{doc.get_stage_display()}：{doc.title}",
    )
    return doc
