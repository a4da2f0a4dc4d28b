"""The follow-up (回访) window: the category's follow_up_days working days after 办结, on the request;
past it 回访 is refused, the request can only be closed as 超期未回访, and the nightly sweep closes it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.core.models import AuditLog
from apps.core.workdays import add_working_days, calendar_day_set, is_workday
from apps.service_requests import services
from apps.service_requests.models import ServiceRequest, ServiceStep
from apps.service_requests.selectors import due_tomorrow_reminders
from apps.service_requests.stats import subtree_rates
from apps.service_requests.tasks import close_unfollowed_task
from apps.service_requests.workflow import close_unfollowed
from tests.factories.service_requests import make_request

pytestmark = pytest.mark.django_db


def _answered(sr, org, worker, phone="13800001111"):
    req = make_request(worker, org, sr.cat, phone=phone)
    req = services.request_accept(acting_user=worker, request=req)
    return services.request_answer(acting_user=worker, request=req, result="已办好")


def _window_passed(req):
    """As if the window ended yesterday (the answer and its window moved into the past)."""
    past = timezone.localdate() - datetime.timedelta(days=1)
    ServiceRequest.objects.filter(pk=req.pk).update(follow_up_due_on=past)
    req.refresh_from_db()
    return req


def test_answer_sets_the_window_in_working_days_of_the_category(tree, sr):
    sr.cat.follow_up_days = 4
    sr.cat.save()
    req = _answered(sr, tree.branch_a, sr.worker_a)
    assert req.follow_up_due_on == add_working_days(timezone.localdate(), 4)


def test_follow_up_within_the_window_is_taken_and_close_before_it_is_refused(tree, sr):
    req = _answered(sr, tree.branch_a, sr.worker_a)
    with pytest.raises(ValidationError) as exc:
        services.request_close(acting_user=sr.worker_a, request=req)
    assert "回访时限内不能关闭" in str(exc.value.message_dict["status"])
    req = services.request_follow_up(acting_user=sr.worker_a, request=req, satisfaction="satisfied")
    assert req.status == "followed_up"


def test_follow_up_after_the_window_is_refused_and_closing_marks_it_unfollowed(tree, sr):
    req = _window_passed(_answered(sr, tree.branch_a, sr.worker_a))
    with pytest.raises(ValidationError) as exc:
        services.request_follow_up(acting_user=sr.worker_a, request=req, satisfaction="satisfied")
    assert "回访时限已过" in exc.value.message_dict["satisfaction"][0]
    assert ServiceRequest.objects.get(pk=req.pk).status == "answered"  # nothing half-written
    req = services.request_close(acting_user=sr.worker_a, request=req, note="电话无人接听")
    assert (req.status, req.satisfaction) == ("closed", "")
    step = ServiceStep.objects.filter(request=req).last()
    assert step.note.startswith("超期未回访") and "电话无人接听" in step.note
    total = subtree_rates(root=tree.city, start=timezone.localdate(), end=timezone.localdate())["total"]
    assert (total.closed, total.followed_up, total.satisfaction_rate) == (1, 0, None)


def test_detail_page_offers_close_not_follow_up_after_the_window(tree, sr, client_for):
    req = _answered(sr, tree.branch_a, sr.worker_a)
    client = client_for(sr.worker_a)
    url = reverse("service_requests:request_detail", args=[req.pk])
    html = client.get(url).content.decode()
    assert reverse("service_requests:request_action", args=[req.pk, "follow_up"]) in html
    assert reverse("service_requests:request_action", args=[req.pk, "close"]) not in html
    _window_passed(req)
    html = client.get(url).content.decode()
    assert reverse("service_requests:request_action", args=[req.pk, "follow_up"]) not in html
    assert reverse("service_requests:request_action", args=[req.pk, "close"]) in html
    assert "超期未回访" in html
    resp = client.post(reverse("service_requests:request_action", args=[req.pk, "follow_up"]),
                       {"satisfaction": "satisfied"})  # fmt: skip
    assert resp.status_code == 200 and "回访时限已过" in resp.content.decode()


def test_api_shows_the_window_and_refuses_a_late_follow_up_naming_the_field(tree, sr, api_for):
    req = _answered(sr, tree.branch_a, sr.worker_a)
    data = api_for(sr.worker_a).get(f"/api/v1/service-requests/{req.pk}/").json()
    assert data["follow_up_due_on"] == req.follow_up_due_on.isoformat()
    req = _window_passed(req)
    resp = api_for(sr.worker_a).post(f"/api/v1/service-requests/{req.pk}/follow-up/", {"satisfaction": "satisfied"})
    assert resp.status_code == 400 and "回访时限已过" in str(resp.json()["satisfaction"])


def test_nightly_sweep_closes_only_past_windows_set_based_audited_and_rerunnable(
    tree, sr, django_assert_max_num_queries
):
    late_a = _window_passed(_answered(sr, tree.branch_a, sr.worker_a, phone="13800000001"))
    late_b = _window_passed(_answered(sr, tree.branch_b, sr.worker_b, phone="13800000002"))
    fresh = _answered(sr, tree.branch_a, sr.worker_a, phone="13800000003")
    followed = services.request_follow_up(
        acting_user=sr.worker_a, request=_answered(sr, tree.branch_a, sr.worker_a, phone="13800000004"),
        satisfaction="basic",
    )  # fmt: skip
    with django_assert_max_num_queries(8):
        assert close_unfollowed() == 2
    statuses = dict(ServiceRequest.objects.values_list("pk", "status"))
    assert statuses[late_a.pk] == statuses[late_b.pk] == "closed"
    assert (statuses[fresh.pk], statuses[followed.pk]) == ("answered", "followed_up")
    step = ServiceStep.objects.filter(request=late_b).last()
    assert (step.action, step.actor_name, step.note) == ("close", "系统", "超期未回访，关闭")
    log = AuditLog.objects.get(event="servicerequest.close", object_id=str(late_b.pk))
    assert log.org_path == tree.branch_b.path and log.changes == {"status": ["answered", "closed"]}
    assert close_unfollowed_task() == 0  # rerun: nothing left


def test_reminder_the_day_before_the_window_ends(tree, sr):
    req = _answered(sr, tree.branch_a, sr.worker_a)
    today = timezone.localdate()
    ServiceRequest.objects.filter(pk=req.pk).update(follow_up_due_on=add_working_days(today, 1))
    items = [i for i in due_tomorrow_reminders(today) if i.dedupe_key.startswith("sr_follow:")]
    assert len(items) == 1 and items[0].organization_id == tree.branch_a.pk and "回访" in items[0].title


def test_a_calendar_change_moves_the_open_window(tree, sr, users, django_capture_on_commit_callbacks):
    req = _answered(sr, tree.branch_a, sr.worker_a)
    due = req.follow_up_due_on  # 3 working days after today: a working day lies inside
    day = timezone.localdate() + datetime.timedelta(days=1)
    while not is_workday(day):
        day += datetime.timedelta(days=1)
    assert day <= due
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(acting_user=users.admin, date=day, is_workday=False, note="临时放假")
    req.refresh_from_db()
    assert req.follow_up_due_on > due


def test_reopen_clears_the_window(tree, sr):
    req = _answered(sr, tree.branch_a, sr.worker_a)
    req = services.request_follow_up(acting_user=sr.worker_a, request=req, satisfaction="unsatisfied")
    assert req.status == "in_progress" and req.follow_up_due_on is None
