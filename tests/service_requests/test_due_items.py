import datetime

import pytest
from django.utils import timezone

from apps.core.due_items import collect_due_items
from apps.core.periods import Period
from apps.core.workdays import add_working_days
from apps.notifications.models import Notice
from apps.notifications.reminders import reminders_run
from apps.service_requests import services
from apps.service_requests.models import ServiceRequest
from apps.supervision.letters import letters_issue_monthly
from apps.supervision.models import LetterItem
from tests.factories.service_requests import make_request

pytestmark = pytest.mark.django_db


def test_overdue_requests_become_due_items_and_reach_the_supervision_letter(tree, users, sr):
    late = services.request_accept(
        acting_user=sr.worker_a,
        request=make_request(sr.worker_a, tree.branch_a, sr.cat, received_at=datetime.date(2026, 11, 2)),
    )
    done = make_request(sr.worker_a, tree.branch_a, sr.cat, received_at=datetime.date(2026, 11, 2), phone="13700000001")
    done = services.request_accept(acting_user=sr.worker_a, request=done)
    services.request_answer(acting_user=sr.worker_a, request=done, result="ok")
    period = Period(2026, 11)
    items = [i for i in collect_due_items(period=period, stage="supervision") if i.kind == "service_request_overdue"]
    assert [i.object_ref for i in items] == [f"service_requests.servicerequest:{late.pk}"]
    assert items[0].organization_id == tree.branch_a.pk

    res = letters_issue_monthly(kind="supervision", period=period, today=datetime.date(2026, 11, 15))
    assert res.created >= 1
    titles = list(LetterItem.objects.filter(letter__addressee=tree.branch_a).values_list("title", flat=True))
    assert any(late.code in t and "逾期未办结" in t for t in titles)


def test_due_item_source_is_one_query(tree, sr, django_assert_num_queries):
    for i in range(5):
        make_request(
            sr.worker_a, tree.branch_a, sr.cat, received_at=datetime.date(2026, 10, 12), phone=f"1350000000{i}"
        )
    from apps.service_requests.selectors import request_due_items

    with django_assert_num_queries(1):
        assert len(request_due_items(period=Period(2026, 11), stage="warning")) == 5


def test_due_tomorrow_reminder_reaches_the_handler_once(tree, users, sr):
    today = timezone.localdate()
    req = make_request(sr.worker_a, tree.branch_a, sr.cat)
    ServiceRequest.objects.filter(pk=req.pk).update(due_on=add_working_days(today, 1))
    # every active user of the handling community: the worker and the branch secretary
    assert reminders_run(today=today, only=["service_request_due"]) == {"service_request_due": 2}
    assert reminders_run(today=today, only=["service_request_due"]) == {"service_request_due": 0}
    notice = Notice.objects.get(recipient=sr.worker_a)
    assert req.code in notice.title and notice.link.endswith(f"/{req.pk}/")
    assert not Notice.objects.filter(recipient=sr.worker_b).exists()
