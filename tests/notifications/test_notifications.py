import datetime

import pytest
from django.core import mail
from django.urls import reverse

from apps.notifications.models import Delivery, Notice
from apps.notifications.reminders import reminders_run
from apps.notifications.selectors import unread_notice_count
from apps.notifications.sending import deliveries_send
from apps.notifications.sms import MemorySmsSender
from tests.factories.notifications import make_notice
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "apps.notifications.sms.MemorySmsSender"
    MemorySmsSender.outbox = []
    MemorySmsSender.failing = set()
    return MemorySmsSender


def _with_contacts(user, email="a@example.org", phone="13800138000"):
    user.email, user.phone = email, phone
    user.save()
    return user


def test_unread_count_is_one_query(tree, users):
    make_notice(users.secretary_a)
    make_notice(users.secretary_a)
    make_notice(users.secretary_b)
    n, count = count_queries(lambda: unread_notice_count(user=users.secretary_a))
    assert count == 2 and n == 1


def test_email_and_sms_deliveries_are_sent_and_recorded(tree, users, sms):
    _with_contacts(users.secretary_a)
    n = make_notice(users.secretary_a, category="letter", title="收到督办函")
    counts = deliveries_send()
    assert counts == {"sent": 2, "failed": 0, "dead": 0}
    assert mail.outbox[0].subject == "收到督办函" and mail.outbox[0].to == ["a@example.org"]
    assert sms.outbox == [("13800138000", "【党建平台】收到督办函")]
    assert set(Delivery.objects.filter(notice=n).values_list("channel", "status")) == {
        ("in_app", "sent"),
        ("email", "sent"),
        ("sms", "sent"),
    }


def test_failed_sms_is_recorded_retried_and_given_up_after_max_attempts(tree, users, sms, settings):
    _with_contacts(users.secretary_a, email="")
    sms.failing = {"13800138000"}
    make_notice(users.secretary_a, category="letter")
    assert deliveries_send() == {"sent": 0, "failed": 1, "dead": 0}
    d = Delivery.objects.get(channel="sms")
    assert d.status == "failed" and d.attempts == 1 and "网关拒绝" in d.last_error
    for _ in range(4):
        deliveries_send()
    d.refresh_from_db()
    assert d.status == "dead" and d.attempts == 5
    assert deliveries_send() == {"sent": 0, "failed": 0, "dead": 0}  # no longer retried automatically
    sms.failing = set()
    from apps.notifications.services import delivery_retry

    delivery_retry(acting_user=users.admin, delivery=d)
    deliveries_send()
    d.refresh_from_db()
    assert d.status == "sent" and sms.outbox


def test_category_without_email_channel_gets_only_in_app(tree, users):
    _with_contacts(users.secretary_a)
    n = make_notice(users.secretary_a, category="other")
    assert list(Delivery.objects.filter(notice=n).values_list("channel", flat=True)) == ["in_app"]


def test_dedupe_key_makes_notices_idempotent(tree, users):
    make_notice(users.secretary_a, key="k1")
    from apps.notifications.services import NoticeSpec, Recipient, notices_create

    again = notices_create(specs=[NoticeSpec(Recipient(users.secretary_a.pk, "/"), "other", "t", "", "", "k1")])
    assert again == [] and Notice.objects.filter(recipient=users.secretary_a).count() == 1


def test_term_due_reminder_once_a_month(tree, users):
    from apps.organizations.services import organization_update

    today = datetime.date.today()
    organization_update(
        acting_user=users.admin, organization=tree.branch_a, term_started_on=today.replace(year=today.year - 5) + datetime.timedelta(days=60),
        term_years=5,
    )  # fmt: skip
    assert reminders_run(today=today, only=["term_due"]) == {"term_due": 1}
    assert reminders_run(today=today, only=["term_due"]) == {"term_due": 0}
    n = Notice.objects.get(recipient=users.secretary_a)
    assert n.category == "term_due" and "换届选举将于" in n.title
    assert not Notice.objects.filter(recipient=users.secretary_b).exists()


def test_daily_reminder_task_runs_eagerly(tree, users):
    from apps.notifications.tasks import reminders_daily_task

    assert "term_due" in reminders_daily_task.delay().get()


def test_inbox_lists_only_own_notices(tree, users, client_for):
    make_notice(users.secretary_a, title="甲的通知")
    make_notice(users.secretary_b, title="乙的通知")
    html = client_for(users.secretary_a).get(reverse("notifications:notice_list")).content.decode()
    assert "甲的通知" in html and "乙的通知" not in html


def test_mark_read_follows_link_and_sibling_gets_404(tree, users, client_for):
    n = make_notice(users.secretary_a, link="/supervision/letters/")
    assert client_for(users.secretary_b).post(reverse("notifications:notice_read", args=[n.pk])).status_code == 404
    n.refresh_from_db()
    assert n.read_at is None
    resp = client_for(users.secretary_a).post(reverse("notifications:notice_read", args=[n.pk]), {"follow": "1"})
    assert resp.status_code == 302 and resp["Location"] == "/supervision/letters/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_mark_read_never_redirects_off_site(tree, users, client_for):
    n = make_notice(users.secretary_a, link="https://evil.example.com/")
    resp = client_for(users.secretary_a).post(reverse("notifications:notice_read", args=[n.pk]), {"follow": "1"})
    assert resp["Location"] == reverse("notifications:notice_list")


def test_mark_all_read(tree, users, client_for):
    make_notice(users.secretary_a)
    make_notice(users.secretary_a)
    make_notice(users.secretary_b)
    client_for(users.secretary_a).post(reverse("notifications:notice_read_all"))
    assert unread_notice_count(user=users.secretary_a) == 0
    assert unread_notice_count(user=users.secretary_b) == 1


def test_api_notices_are_personal(tree, users, api_for):
    n = make_notice(users.secretary_a)
    make_notice(users.secretary_b)
    rows = api_for(users.secretary_a).get("/api/v1/notices/").json()
    rows = rows.get("results", rows)
    assert [r["id"] for r in rows] == [n.pk]
    assert api_for(users.secretary_b).get(f"/api/v1/notices/{n.pk}/").status_code == 404
    assert api_for(users.admin).get(f"/api/v1/notices/{n.pk}/").status_code == 404  # even a superuser's inbox is theirs
    assert api_for(users.secretary_b).post(f"/api/v1/notices/{n.pk}/read/").status_code == 404
    assert api_for(users.secretary_a).post(f"/api/v1/notices/{n.pk}/read/").json()["is_read"] is True
    assert api_for(users.secretary_a).post("/api/v1/notices/read_all/").status_code == 200


def test_delivery_status_page_is_scoped(tree, users, client_for, api_for):
    make_notice(users.secretary_a, title="甲支部通知", category="letter")
    make_notice(users.district_b_staff, title="乙区通知", category="letter")
    html = client_for(users.district_staff).get(reverse("notifications:delivery_list")).content.decode()
    assert "甲支部通知" in html and "乙区通知" not in html
    assert client_for(users.secretary_a).get(reverse("notifications:delivery_list")).status_code == 403
    rows = api_for(users.district_b_staff).get("/api/v1/deliveries/").json()
    rows = rows.get("results", rows)
    assert {r["notice"] for r in rows} == set(
        Notice.objects.filter(recipient=users.district_b_staff).values_list("id", flat=True)
    )
    d = Delivery.objects.filter(notice__recipient=users.secretary_a).first()
    assert api_for(users.district_b_staff).get(f"/api/v1/deliveries/{d.pk}/").status_code == 404


@pytest.mark.parametrize("url", ["notifications:notice_list", "notifications:delivery_list"])
def test_inbox_and_delivery_pages_query_count_flat(tree, users, client_for, url):
    def count():
        client = client_for(users.district_staff)
        return count_queries(lambda: client.get(reverse(url)), warm=True)[0]

    for _ in range(3):
        make_notice(users.district_staff, category="letter")
    few = count()
    for _ in range(27):
        make_notice(users.district_staff, category="letter")
    assert count() == few <= 10


def test_notice_api_query_count_flat(tree, users, api_for):
    def count():
        api = api_for(users.secretary_a)
        return count_queries(lambda: api.get("/api/v1/notices/"), warm=True)[0]

    for _ in range(3):
        make_notice(users.secretary_a)
    few = count()
    for _ in range(27):
        make_notice(users.secretary_a)
    assert count() == few <= 4
