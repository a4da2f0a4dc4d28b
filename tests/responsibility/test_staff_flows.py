"""Staff flows of issue #15: bulk review from the list, the returned-ledger notice, one verb per message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.notifications.models import Notice
from apps.responsibility import services
from apps.responsibility.models import MonthlyLedger
from tests.factories.responsibility import make_ledger, make_meeting


@pytest.fixture
def two_submitted(tree, users):
    out = []
    for branch, secretary in ((tree.branch_a, users.secretary_a), (tree.branch_b, users.secretary_b)):
        ledger = make_ledger(branch)
        make_meeting(ledger)
        out.append(services.ledger_submit(acting_user=secretary, ledger=ledger))
    return out


def test_street_staff_bulk_approves_ticked_ledgers_from_the_list(users, client_for, two_submitted):
    client = client_for(users.street_staff)
    page = client.get(reverse("responsibility:ledger_list")).content.decode()
    assert 'data-select-all="ledger"' in page and "批量通过" in page
    resp = client.post(
        reverse("responsibility:ledger_bulk_review"),
        {"decision": "approve", "ledger": [str(x.pk) for x in two_submitted]},
        follow=True,
    )
    assert "已通过 2 本台账" in resp.content.decode()
    assert set(MonthlyLedger.objects.values_list("status", flat=True)) == {"approved"}


def test_bulk_return_needs_a_reason_and_notifies_each_secretary(
    tree, users, client_for, two_submitted, django_capture_on_commit_callbacks
):
    client = client_for(users.street_staff)
    resp = client.post(
        reverse("responsibility:ledger_bulk_review"),
        {"decision": "return", "ledger": [two_submitted[0].pk]},
        follow=True,
    )
    assert "批量退回时请填写退回原因" in resp.content.decode()
    assert MonthlyLedger.objects.get(pk=two_submitted[0].pk).status == "submitted"
    with_reason = {"decision": "return", "comment": "会议记录不全", "ledger": [x.pk for x in two_submitted]}
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("responsibility:ledger_bulk_review"), with_reason, follow=True)
    assert "已退回 2 本台账" in resp.content.decode()
    notice = Notice.objects.get(recipient=users.secretary_a)
    assert "被退回" in notice.title and "会议记录不全" in notice.body
    assert notice.link == two_submitted[0].get_absolute_url()


def test_bulk_review_skips_ledgers_outside_the_reviewers_scope(tree, users, client_for, two_submitted):
    """A district-B staff member ticks district-A ledgers (ids guessed): nothing changes."""
    client = client_for(users.district_b_staff)
    client.post(reverse("responsibility:ledger_bulk_review"), {"decision": "approve", "ledger": [two_submitted[0].pk]})
    assert MonthlyLedger.objects.get(pk=two_submitted[0].pk).status == "submitted"


def test_secretary_cannot_bulk_review(users, client_for, two_submitted):
    resp = client_for(users.secretary_a).post(
        reverse("responsibility:ledger_bulk_review"), {"decision": "approve", "ledger": [two_submitted[0].pk]}
    )
    assert resp.status_code == 403
    assert MonthlyLedger.objects.get(pk=two_submitted[0].pk).status == "submitted"


def test_review_messages_name_the_action(users, client_for, two_submitted):
    client = client_for(users.street_staff)
    url = reverse("responsibility:ledger_review", args=[two_submitted[0].pk])
    resp = client.post(url, {"decision": "return", "comment": "补充会议记录"}, follow=True)
    assert "已退回" in resp.content.decode() and "已保存" not in resp.content.decode()
    url = reverse("responsibility:ledger_review", args=[two_submitted[1].pk])
    assert "已通过" in client.post(url, {"decision": "approve"}, follow=True).content.decode()


def test_submit_message_says_submitted(tree, users, client_for):
    ledger = make_ledger(tree.branch_a)
    make_meeting(ledger)
    resp = client_for(users.secretary_a).post(reverse("responsibility:ledger_submit", args=[ledger.pk]), follow=True)
    assert "已提交" in resp.content.decode()


def test_meeting_form_reports_bad_date_and_missing_reasons_in_one_pass(tree, users, client_for):
    from tests.factories.responsibility import make_member

    ledger = make_ledger(tree.branch_a)
    a, b = make_member(tree.branch_a, "赵一"), make_member(tree.branch_a, "钱二")
    resp = client_for(users.secretary_a).post(
        reverse("responsibility:meeting_create", args=[ledger.pk]),
        {"kind": "general_meeting", "held_on": "2026-02-31", "topic": "学习", "attendees": [a.pk]},
    )
    html = resp.content.decode()
    assert resp.status_code == 200
    assert 'data-field="held_on"' in html and "请填写缺席原因：钱二" in html and f'data-field="reason_{b.pk}"' in html
    assert 'data-select-all="attendees"' in html and f'for="id_reason_{b.pk}"' in html


def _issue_post(**extra):
    import datetime

    data = {
        "issuer": "D000A",
        "item_type": "task",
        "year": datetime.date.today().year,
        "title": "开展主题党日",
        "due_date": (datetime.date.today() + datetime.timedelta(days=9)).isoformat(),
        "kinds": ["branch"],
    }
    data.update(extra)
    return data


def test_issuance_is_previewed_before_it_is_issued(tree, users, client_for):
    from apps.responsibility.models import Issuance

    client = client_for(users.district_staff)
    resp = client.post(reverse("responsibility:issuance_create"), _issue_post())
    html = resp.content.decode()
    assert resp.status_code == 200 and "将下发至 2 个党组织" in html and "甲支部" in html and "确认下发" in html
    assert not Issuance.objects.exists()
    resp = client.post(reverse("responsibility:issuance_create"), _issue_post(confirm="1"))
    assert resp.status_code == 302 and Issuance.objects.count() == 1


def test_issuance_form_shows_only_the_fields_of_its_kind(users, client_for):
    client = client_for(users.district_staff)
    duty = client.get(reverse("responsibility:issuance_create") + "?type=duty").content.decode()
    assert 'name="post"' in duty and 'name="source"' not in duty and 'name="due_quarter"' not in duty
    problem = client.get(reverse("responsibility:issuance_create") + "?type=problem").content.decode()
    assert 'name="source"' in problem and 'name="post"' not in problem and "整改期限" in problem


def test_issuance_scope_is_chosen_by_name(tree, users, client_for):
    from apps.responsibility.models import TaskItem

    client = client_for(users.district_staff)
    client.post(reverse("responsibility:issuance_create"), _issue_post(roots="甲街道党工委", kinds=[], confirm="1"))
    assert set(TaskItem.objects.values_list("organization__name", flat=True)) == {"甲街道党工委", "甲支部", "乙支部"}


def test_issuance_revoked_while_nobody_reported_progress(tree, users, client_for):
    from apps.responsibility.models import Issuance, TaskItem

    client = client_for(users.district_staff)
    client.post(reverse("responsibility:issuance_create"), _issue_post(confirm="1"))
    issuance = Issuance.objects.get()
    page = client.get(issuance.get_absolute_url()).content.decode()
    assert "撤回下发" in page
    resp = client.post(reverse("responsibility:issuance_revoke", args=[issuance.pk]), follow=True)
    assert "已撤回" in resp.content.decode()
    assert not Issuance.objects.exists() and not TaskItem.objects.exists()


def test_issuance_cannot_be_revoked_once_a_branch_reported_progress(tree, users, client_for):
    from apps.responsibility.models import Issuance, TaskItem

    client = client_for(users.district_staff)
    client.post(reverse("responsibility:issuance_create"), _issue_post(confirm="1"))
    issuance = Issuance.objects.get()
    task = TaskItem.objects.get(organization=tree.branch_a)
    services.task_progress_update(acting_user=users.secretary_a, task=task, status="in_progress", evidence="已部署")
    assert "撤回下发" not in client.get(issuance.get_absolute_url()).content.decode()
    resp = client.post(reverse("responsibility:issuance_revoke", args=[issuance.pk]), follow=True)
    assert "不能撤回" in resp.content.decode()
    assert TaskItem.objects.filter(issuance=issuance).count() == 2


def test_sibling_district_cannot_revoke_an_issuance(tree, users, client_for):
    from apps.responsibility.models import Issuance

    client_for(users.district_staff).post(reverse("responsibility:issuance_create"), _issue_post(confirm="1"))
    issuance = Issuance.objects.get()
    resp = client_for(users.district_b_staff).post(reverse("responsibility:issuance_revoke", args=[issuance.pk]))
    assert resp.status_code == 404 and Issuance.objects.exists()
