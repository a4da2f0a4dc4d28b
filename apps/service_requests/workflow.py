"""The request pipeline: every state change is one of these services (keyword-only, atomic, scope- and
role-checked, audited, on the timeline, figures kept current). No free status edits anywhere.

    registered → accepted → assigned → in_progress → answered (办结) → followed_up (回访) → closed
    不满意 at the follow-up reopens once (二次办理); transfer (转办) and escalation (上报) hand the request to
    another organization, which accepts it again; suspension (挂起) is requested by the handler, approved
    from above, and pauses the clock (the deadline moves by the suspended working days).

Who: acting needs ``service_requests.change_servicerequest`` and the handling organization in scope
(the registering organization keeps seeing what it escalated, but no longer acts on it); approving a
suspension needs an organization *above* the handling one.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.params import get_int_param, get_param
from apps.core.scoping import ensure_org_in_scope, ensure_perm, org_in_scope
from apps.core.uploads import check_attachment
from apps.core.workdays import add_working_days, working_days_between

from .choices import RequestStatus as S
from .choices import Satisfaction, StepAction
from .models import ServiceCategory, ServiceRequest, ServiceStep
from .stats import contribution, stats_apply

PERM_ADD = "service_requests.add_servicerequest"
PERM_CHANGE = "service_requests.change_servicerequest"
_PHONE = re.compile(r"^[0-9\-+ ]{7,20}$")
ACTIVE = [S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS]


def validate_attachment(file: Any) -> None:
    check_attachment(
        file,
        allowed_types=get_param("service_attachment_types").split(","),
        max_mb=get_int_param("service_attachment_max_mb"),
    )


def _local_date(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def compute_deadlines(
    req: ServiceRequest, category: ServiceCategory | None = None
) -> tuple[datetime.date, datetime.date]:
    """(response due, closure due) from the clock start, the category's limits and the suspended days."""
    cat = category or req.category
    response_due = add_working_days(_local_date(req.received_at), cat.response_limit_days)
    due = add_working_days(req.clock_start, cat.closure_limit_days + req.suspended_days)
    return response_due, due


def _step(req: ServiceRequest, *, action: str, actor: Any, from_status: str, note: str = "", file: Any = None) -> None:
    org = getattr(actor, "organization", None)
    step = ServiceStep(
        request=req,
        action=action,
        from_status=from_status,
        to_status=req.status,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(actor.get_full_name() if getattr(actor, "pk", None) else "系统"),
        actor_org_name=org.name if org is not None else "",
        at=timezone.now(),
        note=note,
    )
    if file is not None:
        step.attachment_name = getattr(file, "name", "")[:200]
        step.attachment.save(step.attachment_name, file, save=False)
    step.save()


def _refuse_state(req: ServiceRequest, action: str) -> ValidationError:
    return ValidationError(
        {
            "status": _("当前状态为「%(status)s」，不能%(action)s。")
            % {"status": req.get_status_display(), "action": StepAction(action).label}
        }
    )


def _transition(
    *,
    acting_user: Any,
    request: ServiceRequest,
    action: str,
    allowed: list[str],
    to_status: str | None,
    apply: Callable[[ServiceRequest], None] | None = None,
    note: str = "",
    file: Any = None,
    check_actor: Callable[[ServiceRequest], None] | None = None,
) -> ServiceRequest:
    ensure_perm(acting_user, PERM_CHANGE)
    if file is not None:
        try:
            validate_attachment(file)
        except ValidationError as exc:
            raise ValidationError({"attachment": exc.messages}) from exc
    with transaction.atomic():
        req = ServiceRequest.objects.select_for_update().select_related("category", "organization").get(pk=request.pk)
        if check_actor is not None:
            check_actor(req)
        else:
            ensure_org_in_scope(acting_user, req.organization)
        if req.status not in allowed:
            raise _refuse_state(req, action)
        before, before_contrib, from_status = snapshot(req), contribution(req), req.status
        if apply is not None:
            apply(req)
        if to_status is not None:
            req.status = to_status
        req.save()
        stats_apply(before_contrib, contribution(req))
        _step(req, action=action, actor=acting_user, from_status=from_status, note=note, file=file)
        audit_record(actor=acting_user, event=f"servicerequest.{action}", obj=req, before=before, after=snapshot(req))
    return req


# ---------------------------------------------------------------- intake


def find_duplicate(*, phone: str, category: ServiceCategory, received_at: datetime.datetime) -> ServiceRequest | None:
    if not phone:
        return None
    since = received_at - datetime.timedelta(days=get_int_param("service_duplicate_days"))
    return (
        ServiceRequest.objects.filter(
            requester_phone=phone, category=category, received_at__gte=since, received_at__lte=received_at
        )
        .order_by("-received_at")
        .first()
    )


def request_register(
    *,
    acting_user: Any,
    organization: Any,
    channel: str,
    requester_name: str,
    requester_phone: str = "",
    requester_address: str = "",
    category: ServiceCategory,
    content: str,
    received_at: datetime.datetime | None = None,
    attachment: Any = None,
) -> ServiceRequest:
    """Intake (登记). A same phone + category within 7 days is marked as a suspected duplicate, not refused."""
    ensure_perm(acting_user, PERM_ADD)
    ensure_org_in_scope(acting_user, organization)
    errors: dict[str, str] = {}
    requester_name, content = (requester_name or "").strip(), (content or "").strip()
    requester_phone = re.sub(r"\s", "", requester_phone or "")
    if not requester_name:
        errors["requester_name"] = _("请填写群众姓名。")
    if requester_phone and not _PHONE.match(requester_phone):
        errors["requester_phone"] = _("联系电话格式不正确（7–20位数字）。")
    if not content:
        errors["content"] = _("请填写诉求内容。")
    usable = ServiceCategory.objects.usable_at(organization.path).filter(pk=getattr(category, "pk", None)).exists()
    if not usable:
        errors["category"] = _("该服务类别不适用于所选组织。")
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + datetime.timedelta(minutes=5):
        errors["received_at"] = _("登记时间不能晚于当前时间。")
    if errors:
        raise ValidationError(errors)
    if attachment is not None:
        try:
            validate_attachment(attachment)
        except ValidationError as exc:
            raise ValidationError({"attachment": exc.messages}) from exc
    with transaction.atomic():
        req = ServiceRequest(
            organization=organization,
            org_path=organization.path,
            origin_org=organization,
            origin_path=organization.path,
            channel=channel,
            requester_name=requester_name,
            requester_phone=requester_phone,
            requester_address=(requester_address or "").strip(),
            category=category,
            content=content,
            received_at=received_at,
            clock_start=_local_date(received_at),
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        req.response_due_on, req.due_on = compute_deadlines(req, category)
        req.duplicate_of = find_duplicate(phone=requester_phone, category=category, received_at=received_at)
        req.save()
        stats_apply(None, contribution(req))
        _step(req, action=StepAction.REGISTER, actor=acting_user, from_status="", note="", file=attachment)
        audit_record(actor=acting_user, event="servicerequest.create", obj=req, after=snapshot(req))
    return req


# ---------------------------------------------------------------- the pipeline


def request_accept(*, acting_user: Any, request: ServiceRequest, note: str = "") -> ServiceRequest:
    def apply(req: ServiceRequest) -> None:
        if req.accepted_at is None:  # the response is measured once, at the first acceptance
            req.accepted_at = timezone.now()
            req.responded_on_time = _local_date(req.accepted_at) <= req.response_due_on

    return _transition(
        acting_user=acting_user, request=request, action=StepAction.ACCEPT, allowed=[S.REGISTERED],
        to_status=S.ACCEPTED, apply=apply, note=note,
    )  # fmt: skip


def request_assign(
    *,
    acting_user: Any,
    request: ServiceRequest,
    assignee_org: Any = None,
    assignee_member: Any = None,
    assignee_agent: str = "",
    note: str = "",
) -> ServiceRequest:
    """分派 to an organization in the user's scope, a member the user can see, or an errand agent (代办员)."""
    ensure_perm(acting_user, PERM_CHANGE)
    from apps.members.models import Member

    assignee_agent = (assignee_agent or "").strip()
    if assignee_org is None and assignee_member is None and not assignee_agent:
        raise ValidationError({"assignee_org": _("请选择承办单位、承办党员或填写代办员（至少一项）。")})
    if assignee_org is not None and not org_in_scope(acting_user, assignee_org):
        raise ValidationError({"assignee_org": _("承办单位不在您的管理范围内。")})
    if (
        assignee_member is not None
        and not Member.objects.visible_to(acting_user).filter(pk=assignee_member.pk).exists()
    ):
        raise ValidationError({"assignee_member": _("承办党员不在您的管理范围内。")})

    def apply(req: ServiceRequest) -> None:
        req.assignee_org, req.assignee_member, req.assignee_agent = assignee_org, assignee_member, assignee_agent

    who = "、".join(
        x for x in (getattr(assignee_org, "name", ""), getattr(assignee_member, "name", ""), assignee_agent) if x
    )
    return _transition(
        acting_user=acting_user, request=request, action=StepAction.ASSIGN,
        allowed=[S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS], to_status=S.ASSIGNED, apply=apply,
        note=f"{_('承办')}：{who}" + (f"；{note}" if note else ""),
    )  # fmt: skip


def request_start(*, acting_user: Any, request: ServiceRequest, note: str = "") -> ServiceRequest:
    return _transition(
        acting_user=acting_user, request=request, action=StepAction.START, allowed=[S.ASSIGNED],
        to_status=S.IN_PROGRESS, note=note,
    )  # fmt: skip


def request_answer(*, acting_user: Any, request: ServiceRequest, result: str, attachment: Any = None) -> ServiceRequest:
    """办结: the result (and evidence); on time when answered no later than the closure deadline."""
    ensure_perm(acting_user, PERM_CHANGE)
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": _("请填写办理结果。")})

    def apply(req: ServiceRequest) -> None:
        req.result = result
        req.answered_at = timezone.now()
        answered = _local_date(req.answered_at)
        req.closed_on_time = answered <= req.due_on
        req.workdays_to_close = max(0, working_days_between(req.clock_start, answered) - req.suspended_days)
        req.follow_up_due_on = follow_up_due(req)

    return _transition(
        acting_user=acting_user, request=request, action=StepAction.ANSWER,
        allowed=[S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS], to_status=S.ANSWERED, apply=apply, note=result,
        file=attachment,
    )  # fmt: skip


def follow_up_due(req: ServiceRequest, category: ServiceCategory | None = None) -> datetime.date | None:
    """The follow-up window's last day: the category's ``follow_up_days`` working days after 办结."""
    if req.answered_at is None:
        return None
    return add_working_days(_local_date(req.answered_at), (category or req.category).follow_up_days)


def follow_up_window_passed(req: ServiceRequest, today: datetime.date | None = None) -> bool:
    return req.follow_up_due_on is not None and (today or timezone.localdate()) > req.follow_up_due_on


def request_follow_up(
    *, acting_user: Any, request: ServiceRequest, satisfaction: str, note: str = ""
) -> ServiceRequest:
    """回访, within the category's window (``follow_up_days`` working days after 办结); past it the request
    can only be closed as not followed up (manually, or by the nightly sweep). 不满意 the first time reopens
    the request (二次办理) with a fresh time limit; after that it stays unsatisfied and can be closed."""
    ensure_perm(acting_user, PERM_CHANGE)
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("请选择回访满意度。")})
    reopen = satisfaction == Satisfaction.UNSATISFIED and request.reopen_count == 0

    def apply(req: ServiceRequest) -> None:
        if follow_up_window_passed(req):
            raise ValidationError(
                {
                    "satisfaction": _("回访时限已过（应在%(date)s前回访），不能再登记回访，请按“超期未回访”关闭。")
                    % {"date": req.follow_up_due_on.strftime("%Y年%m月%d日").replace("年0", "年").replace("月0", "月")}
                }
            )
        req.followed_up_at = timezone.now()
        req.follow_up_note = note[:500]
        if reopen:
            req.reopen_count += 1
            req.satisfaction = ""
            req.answered_at = req.closed_on_time = req.workdays_to_close = req.follow_up_due_on = None
            req.clock_start = timezone.localdate()
            req.suspended_days = 0
            req.response_due_on, req.due_on = compute_deadlines(req)
        else:
            req.satisfaction = satisfaction

    label = Satisfaction(satisfaction).label
    return _transition(
        acting_user=acting_user, request=request,
        action=StepAction.REOPEN if reopen else StepAction.FOLLOW_UP, allowed=[S.ANSWERED],
        to_status=S.IN_PROGRESS if reopen else S.FOLLOWED_UP, apply=apply,
        note=f"{label}" + (f"：{note}" if note else ""),
    )  # fmt: skip


UNFOLLOWED_NOTE = "超期未回访，关闭"


def request_close(*, acting_user: Any, request: ServiceRequest, note: str = "") -> ServiceRequest:
    """关闭 after the follow-up; or, once the follow-up window has passed without one, as 超期未回访 (the
    request then counts as closed but not followed up: it is in no satisfaction figure)."""

    def apply(req: ServiceRequest) -> None:
        if req.status == S.ANSWERED and not follow_up_window_passed(req):
            raise ValidationError(
                {"status": _("尚未回访，回访时限内不能关闭（回访时限：%(date)s）。") % {"date": req.follow_up_due_on}}
            )
        req.closed_at = timezone.now()

    unfollowed = request.status == S.ANSWERED
    text = UNFOLLOWED_NOTE + (f"：{note}" if note and unfollowed else "") if unfollowed else note
    return _transition(
        acting_user=acting_user, request=request, action=StepAction.CLOSE, allowed=[S.FOLLOWED_UP, S.ANSWERED],
        to_status=S.CLOSED, apply=apply, note=text,
    )  # fmt: skip


def close_unfollowed(*, today: datetime.date | None = None) -> int:
    """Nightly: close every request whose follow-up window has passed without a follow-up, set-based (one
    UPDATE, one bulk insert of timeline steps, one audit row per request). Figures are unchanged (they do
    not depend on the closing). Rerunnable: a closed request is not touched again."""
    from django.contrib.contenttypes.models import ContentType

    from apps.core.models import AuditLog

    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            ServiceRequest.objects.select_for_update(skip_locked=True)
            .filter(status=S.ANSWERED, follow_up_due_on__lt=today)
            .values_list("id", "org_path", "content")
        )
        if not rows:
            return 0
        ids = [r[0] for r in rows]
        ServiceRequest.objects.filter(pk__in=ids).update(status=S.CLOSED, closed_at=now, updated_at=now)
        ServiceStep.objects.bulk_create(
            [
                ServiceStep(
                    request_id=pk,
                    action=StepAction.CLOSE,
                    from_status=S.ANSWERED,
                    to_status=S.CLOSED,
                    actor=None,
                    actor_name="系统",
                    at=now,
                    note=UNFOLLOWED_NOTE,
                )
                for pk in ids
            ],
            batch_size=2000,
        )
        ct = ContentType.objects.get_for_model(ServiceRequest)
        AuditLog.objects.bulk_create(
            [
                AuditLog(
                    actor=None,
                    actor_name="系统",
                    action=AuditLog.Action.UPDATE,
                    event="servicerequest.close",
                    content_type=ct,
                    object_id=str(pk),
                    object_repr=f"FW{pk:08d} {content[:30]}"[:255],
                    org_path=path,
                    changes={"status": [S.ANSWERED, S.CLOSED]},
                    note=UNFOLLOWED_NOTE,
                )
                for pk, path, content in rows
            ],
            batch_size=2000,
        )
    return len(ids)


def _hand_over(req: ServiceRequest, org: Any) -> None:
    req.organization, req.org_path = org, org.path
    req.assignee_org, req.assignee_member, req.assignee_agent = None, None, ""


def request_transfer(*, acting_user: Any, request: ServiceRequest, organization: Any, note: str) -> ServiceRequest:
    """转办 to another organization in the user's scope; it accepts the request again."""
    ensure_perm(acting_user, PERM_CHANGE)
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写转办理由。")})
    if organization is None or not org_in_scope(acting_user, organization) or not organization.is_active:
        raise ValidationError({"organization": _("转办单位不在您的管理范围内。")})
    if organization.pk == request.organization_id:
        raise ValidationError({"organization": _("转办单位与当前承办组织相同。")})

    def apply(req: ServiceRequest) -> None:
        _hand_over(req, organization)
        req.transfer_count += 1

    return _transition(
        acting_user=acting_user, request=request, action=StepAction.TRANSFER, allowed=ACTIVE,
        to_status=S.REGISTERED, apply=apply, note=f"{_('转办至')}{organization.name}：{note}",
    )  # fmt: skip


def request_escalate(*, acting_user: Any, request: ServiceRequest, note: str) -> ServiceRequest:
    """上报 to the organization above the handling one, when the matter is beyond its means."""
    ensure_perm(acting_user, PERM_CHANGE)
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写上报理由。")})
    parent = request.organization.parent
    if parent is None:
        raise ValidationError({"status": _("已是最高一级组织，无法上报。")})

    def apply(req: ServiceRequest) -> None:
        _hand_over(req, parent)
        req.escalated = True

    return _transition(
        acting_user=acting_user, request=request, action=StepAction.ESCALATE, allowed=ACTIVE,
        to_status=S.REGISTERED, apply=apply, note=f"{_('上报至')}{parent.name}：{note}",
    )  # fmt: skip


def request_suspend(*, acting_user: Any, request: ServiceRequest, reason: str) -> ServiceRequest:
    """The handler asks to suspend (挂起), e.g. waiting for a court date; the organization above approves."""
    ensure_perm(acting_user, PERM_CHANGE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写挂起原因。")})
    if request.suspension_pending:
        raise ValidationError({"status": _("已申请挂起，等待上级审批。")})

    def apply(req: ServiceRequest) -> None:
        req.suspension_pending, req.suspend_reason = True, reason[:300]

    return _transition(
        acting_user=acting_user, request=request, action=StepAction.SUSPEND_REQUEST,
        allowed=[S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS], to_status=None, apply=apply, note=reason,
    )  # fmt: skip


def _ensure_above(acting_user: Any) -> Callable[[ServiceRequest], None]:
    def check(req: ServiceRequest) -> None:
        ensure_org_in_scope(acting_user, req.organization)
        own = getattr(acting_user, "organization", None)
        if not acting_user.is_superuser and (own is None or own.pk == req.organization_id):
            raise PermissionDenied(_("挂起须由承办组织的上级审批。"))

    return check


def request_suspension_decide(
    *, acting_user: Any, request: ServiceRequest, approve: bool, note: str = ""
) -> ServiceRequest:
    ensure_perm(acting_user, PERM_CHANGE)
    if not request.suspension_pending:
        raise ValidationError({"status": _("没有待审批的挂起申请。")})

    def apply(req: ServiceRequest) -> None:
        if not req.suspension_pending:
            raise ValidationError({"status": _("没有待审批的挂起申请。")})
        req.suspension_pending = False
        if approve:
            req.status_before_suspend = req.status
            req.suspended_on = timezone.localdate()

    return _transition(
        acting_user=acting_user, request=request,
        action=StepAction.SUSPEND_APPROVE if approve else StepAction.SUSPEND_REJECT,
        allowed=[S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS], to_status=S.SUSPENDED if approve else None, apply=apply,
        note=note, check_actor=_ensure_above(acting_user),
    )  # fmt: skip


def request_resume(*, acting_user: Any, request: ServiceRequest, note: str = "") -> ServiceRequest:
    """End a suspension: the deadline moves by the working days the request was suspended."""

    def apply(req: ServiceRequest) -> None:
        today = timezone.localdate()
        req.suspended_days += max(0, working_days_between(req.suspended_on or today, today))
        req.suspended_on = None
        req.status = req.status_before_suspend or S.IN_PROGRESS
        req.status_before_suspend = ""
        req.response_due_on, req.due_on = compute_deadlines(req)

    return _transition(
        acting_user=acting_user, request=request, action=StepAction.RESUME, allowed=[S.SUSPENDED],
        to_status=None, apply=apply, note=note,
    )  # fmt: skip


# ---------------------------------------------------------------- calendar changes


def recompute_open_deadlines(*, dates: list[datetime.date] | None = None) -> int:
    """After a calendar change: recompute the deadlines of every request whose clock still runs (or is
    paused). Changed rows only, in bulk; figures are untouched (they depend on answered requests only)."""
    changed = []
    qs = (
        ServiceRequest.objects.filter(status__in=[*ACTIVE, S.SUSPENDED, S.ANSWERED])
        .select_related("category")
        .only(
            "id", "status", "received_at", "clock_start", "suspended_days", "response_due_on", "due_on",
            "answered_at", "follow_up_due_on", "category",
        )
    )  # fmt: skip
    for req in qs.iterator(chunk_size=2000):
        if req.status == S.ANSWERED:  # only the follow-up window still runs
            follow = follow_up_due(req)
            if follow != req.follow_up_due_on:
                req.follow_up_due_on = follow
                changed.append(req)
            continue
        response_due, due = compute_deadlines(req)
        if (response_due, due) != (req.response_due_on, req.due_on):
            req.response_due_on, req.due_on = response_due, due
            changed.append(req)
    ServiceRequest.objects.bulk_update(changed, ["response_due_on", "due_on", "follow_up_due_on"], batch_size=2000)
    return len(changed)
