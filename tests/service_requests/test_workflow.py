import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core.models import AuditLog
from apps.core.workdays import add_working_days, working_days_between
from apps.service_requests import services
from apps.service_requests.models import ServiceRequest, ServiceStep
from tests.factories.members import make_member
from tests.factories.service_requests import make_request

pytestmark = pytest.mark.django_db
D = datetime.date


def _to_in_progress(user, req):
    req = services.request_accept(acting_user=user, request=req)
    req = services.request_assign(acting_user=user, request=req, assignee_agent="钱小红")
    return services.request_start(acting_user=user, request=req)


def test_register_computes_working_day_deadlines_across_the_holiday_week(tree, sr):
    req = make_request(sr.worker_a, tree.branch_a, sr.cat, received_at=D(2026, 9, 30))
    assert req.response_due_on == D(2026, 10, 8)  # 1 working day: the National Day week is skipped
    # 5 working days: 8, 9, 10 (make-up Saturday), 12, 13 October
    assert req.due_on == D(2026, 10, 13)
    assert req.status == "registered"
    assert ServiceStep.objects.filter(request=req, action="register").count() == 1
    assert AuditLog.objects.filter(event="servicerequest.create", object_id=str(req.pk)).exists()


def test_same_phone_and_category_within_seven_days_is_marked_not_refused(tree, sr):
    first = make_request(sr.worker_a, tree.branch_a, sr.cat, phone="13912345678")
    second = make_request(sr.worker_a, tree.branch_a, sr.cat, phone="13912345678")
    other_cat = make_request(sr.worker_a, tree.branch_a, sr.sub, phone="13912345678")
    assert second.duplicate_of_id == first.pk
    assert other_cat.duplicate_of_id is None


def test_register_refuses_bad_input_with_field_messages(tree, sr):
    with pytest.raises(ValidationError) as exc:
        make_request(sr.worker_a, tree.branch_a, sr.cat, phone="abc", requester_name="", content="")
    assert set(exc.value.message_dict) >= {"requester_phone", "requester_name", "content"}


def test_full_pipeline_to_closed(tree, sr):
    member = make_member(tree.branch_a, name="李志强")
    req = make_request(sr.worker_a, tree.branch_a, sr.cat)
    req = services.request_accept(acting_user=sr.worker_a, request=req)
    assert req.responded_on_time is True
    req = services.request_assign(acting_user=sr.worker_a, request=req, assignee_member=member)
    req = services.request_start(acting_user=sr.worker_a, request=req)
    req = services.request_answer(acting_user=sr.worker_a, request=req, result="已办结")
    assert req.status == "answered" and req.closed_on_time is True and req.workdays_to_close == 0
    req = services.request_follow_up(acting_user=sr.worker_a, request=req, satisfaction="satisfied")
    req = services.request_close(acting_user=sr.worker_a, request=req)
    assert req.status == "closed"
    actions = list(ServiceStep.objects.filter(request=req).values_list("action", flat=True))
    assert actions == ["register", "accept", "assign", "start", "answer", "follow_up", "close"]


@pytest.mark.parametrize(
    ("call", "status"),
    [
        (lambda u, r: services.request_answer(acting_user=u, request=r, result="x"), "registered"),
        (lambda u, r: services.request_start(acting_user=u, request=r), "registered"),
        (lambda u, r: services.request_follow_up(acting_user=u, request=r, satisfaction="satisfied"), "registered"),
        (lambda u, r: services.request_close(acting_user=u, request=r), "registered"),
        (lambda u, r: services.request_resume(acting_user=u, request=r), "registered"),
        (lambda u, r: services.request_suspend(acting_user=u, request=r, reason="等开庭"), "registered"),
    ],
)
def test_transition_refused_in_the_wrong_state(tree, sr, call, status):
    req = make_request(sr.worker_a, tree.branch_a, sr.cat)
    with pytest.raises(ValidationError) as exc:
        call(sr.worker_a, req)
    assert "当前状态为「已登记」" in str(exc.value)
    assert ServiceRequest.objects.get(pk=req.pk).status == status


def test_accept_twice_is_refused(tree, sr):
    req = services.request_accept(acting_user=sr.worker_a, request=make_request(sr.worker_a, tree.branch_a, sr.cat))
    with pytest.raises(ValidationError):
        services.request_accept(acting_user=sr.worker_a, request=req)


@pytest.mark.parametrize("who", ["leader", "inspector"])
def test_read_only_roles_cannot_act(tree, users, sr, who):
    req = make_request(sr.worker_a, tree.branch_a, sr.cat)
    with pytest.raises(PermissionDenied):
        services.request_accept(acting_user=getattr(users, who), request=req)


def test_sibling_community_worker_cannot_act_on_the_request(tree, sr):
    req = make_request(sr.worker_a, tree.branch_a, sr.cat)
    with pytest.raises(PermissionDenied):
        services.request_accept(acting_user=sr.worker_b, request=req)
    with pytest.raises(PermissionDenied):
        make_request(sr.worker_b, tree.branch_a, sr.cat)


def test_branch_secretary_registers_and_handles_in_own_branch(tree, users, sr):
    req = make_request(users.secretary_a, tree.branch_a, sr.cat)
    assert services.request_accept(acting_user=users.secretary_a, request=req).status == "accepted"


def test_unsatisfied_follow_up_reopens_once_then_stays_unsatisfied(tree, sr):
    req = _to_in_progress(sr.worker_a, make_request(sr.worker_a, tree.branch_a, sr.cat))
    req = services.request_answer(acting_user=sr.worker_a, request=req, result="第一次办理")
    req = services.request_follow_up(acting_user=sr.worker_a, request=req, satisfaction="unsatisfied", note="没解决")
    assert req.status == "in_progress" and req.reopen_count == 1 and req.answered_at is None
    assert req.due_on == add_working_days(timezone.localdate(), sr.cat.closure_limit_days)
    req = services.request_answer(acting_user=sr.worker_a, request=req, result="二次办理完毕")
    req = services.request_follow_up(acting_user=sr.worker_a, request=req, satisfaction="unsatisfied")
    assert req.status == "followed_up" and req.reopen_count == 1 and req.satisfaction == "unsatisfied"
    assert ServiceStep.objects.filter(request=req, action="reopen").count() == 1


def test_transfer_to_sibling_needs_the_sibling_in_scope_and_hides_it_from_the_first_community(tree, users, sr):
    req = make_request(sr.worker_a, tree.branch_a, sr.cat)
    with pytest.raises(ValidationError):  # branch_b is not in worker_a's scope
        services.request_transfer(acting_user=sr.worker_a, request=req, organization=tree.branch_b, note="不属本社区")
    req = services.request_transfer(
        acting_user=users.street_staff, request=req, organization=tree.branch_b, note="属乙"
    )
    assert req.organization_id == tree.branch_b.pk and req.status == "registered" and req.transfer_count == 1
    # worker_b now handles it; worker_a registered it and still follows it, but cannot act
    assert ServiceRequest.objects.visible_to(sr.worker_b).filter(pk=req.pk).exists()
    assert ServiceRequest.objects.visible_to(sr.worker_a).filter(pk=req.pk).exists()
    with pytest.raises(PermissionDenied):
        services.request_accept(acting_user=sr.worker_a, request=req)
    services.request_accept(acting_user=sr.worker_b, request=req)


def test_escalation_goes_to_the_level_above_and_a_sibling_never_sees_it(tree, users, sr):
    req = make_request(sr.worker_a, tree.branch_a, sr.cat)
    req = services.request_escalate(acting_user=sr.worker_a, request=req, note="超出社区能力")
    assert req.organization_id == tree.street_a.pk and req.escalated and req.status == "registered"
    assert not ServiceRequest.objects.visible_to(sr.worker_b).filter(pk=req.pk).exists()
    assert not ServiceRequest.objects.visible_to(users.district_b_staff).filter(pk=req.pk).exists()
    assert ServiceRequest.objects.visible_to(users.street_staff).filter(pk=req.pk).exists()
    services.request_accept(acting_user=users.street_staff, request=req)
    with pytest.raises(ValidationError):
        services.request_escalate(
            acting_user=sr.worker_a, request=make_request(sr.worker_a, tree.branch_a, sr.cat), note=""
        )


def test_suspension_needs_approval_from_above_and_extends_the_deadline_by_suspended_working_days(tree, users, sr):
    req = _to_in_progress(sr.worker_a, make_request(sr.worker_a, tree.branch_a, sr.cat, received_at=D(2026, 11, 23)))
    assert req.due_on == D(2026, 11, 30)
    req = services.request_suspend(acting_user=sr.worker_a, request=req, reason="等待法院开庭")
    assert req.suspension_pending and req.status == "in_progress"
    with pytest.raises(PermissionDenied):  # the handler cannot approve its own suspension
        services.request_suspension_decide(acting_user=sr.worker_a, request=req, approve=True)
    req = services.request_suspension_decide(acting_user=users.street_staff, request=req, approve=True)
    assert req.status == "suspended"
    # suspended since Friday 27 Nov: resumed "today" → the working days in between are added
    ServiceRequest.objects.filter(pk=req.pk).update(suspended_on=D(2026, 11, 27))
    req = services.request_resume(acting_user=sr.worker_a, request=ServiceRequest.objects.get(pk=req.pk))
    paused = working_days_between(D(2026, 11, 27), timezone.localdate())
    assert req.status == "in_progress" and req.suspended_days == paused
    assert req.due_on == add_working_days(D(2026, 11, 23), 5 + paused)


def test_suspended_request_is_not_overdue(tree, users, sr):
    req = _to_in_progress(sr.worker_a, make_request(sr.worker_a, tree.branch_a, sr.cat, received_at=D(2026, 1, 5)))
    assert ServiceRequest.objects.overdue(timezone.localdate()).filter(pk=req.pk).exists()
    req = services.request_suspend(acting_user=sr.worker_a, request=req, reason="等待鉴定")
    services.request_suspension_decide(acting_user=users.street_staff, request=req, approve=True)
    assert not ServiceRequest.objects.overdue(timezone.localdate()).filter(pk=req.pk).exists()


def test_calendar_change_recomputes_open_deadlines_only(tree, users, sr, django_capture_on_commit_callbacks):
    from apps.core.workdays import calendar_day_set

    open_req = make_request(sr.worker_a, tree.branch_a, sr.cat, received_at=D(2026, 11, 23))
    done = _to_in_progress(sr.worker_a, make_request(sr.worker_a, tree.branch_a, sr.cat, received_at=D(2026, 11, 23)))
    done = services.request_answer(acting_user=sr.worker_a, request=done, result="ok")
    assert open_req.due_on == D(2026, 11, 30)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(acting_user=users.admin, date=D(2026, 11, 25), is_workday=False, note="临时放假")
    assert ServiceRequest.objects.get(pk=open_req.pk).due_on == D(2026, 12, 1)
    assert ServiceRequest.objects.get(pk=done.pk).due_on == D(2026, 11, 30)


def test_assign_refuses_a_member_outside_scope(tree, sr):
    req = services.request_accept(acting_user=sr.worker_a, request=make_request(sr.worker_a, tree.branch_a, sr.cat))
    outsider = make_member(tree.branch_b)
    with pytest.raises(ValidationError) as exc:
        services.request_assign(acting_user=sr.worker_a, request=req, assignee_member=outsider)
    assert "assignee_member" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.request_assign(acting_user=sr.worker_a, request=req)


ALL_TRANSITIONS = [
    lambda u, r: services.request_accept(acting_user=u, request=r),
    lambda u, r: services.request_assign(acting_user=u, request=r, assignee_agent="钱小红"),
    lambda u, r: services.request_start(acting_user=u, request=r),
    lambda u, r: services.request_answer(acting_user=u, request=r, result="x"),
    lambda u, r: services.request_follow_up(acting_user=u, request=r, satisfaction="satisfied"),
    lambda u, r: services.request_close(acting_user=u, request=r),
    lambda u, r: services.request_transfer(acting_user=u, request=r, organization=r.organization, note="x"),
    lambda u, r: services.request_escalate(acting_user=u, request=r, note="x"),
    lambda u, r: services.request_suspend(acting_user=u, request=r, reason="x"),
    lambda u, r: services.request_resume(acting_user=u, request=r),
]


@pytest.mark.parametrize("call", ALL_TRANSITIONS)
def test_every_transition_is_refused_to_a_read_only_leader(tree, users, sr, call):
    req = make_request(sr.worker_a, tree.branch_a, sr.cat)
    with pytest.raises(PermissionDenied):
        call(users.leader, req)
    assert ServiceRequest.objects.get(pk=req.pk).status == "registered"
