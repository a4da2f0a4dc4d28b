"""Issue 17, bugs 1-8: each reproduced, each a test."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from apps.members.recruitment import recruitment_create
from apps.responsibility import services as resp_services
from tests.factories.members import make_id_number, make_member
from tests.factories.responsibility import make_ledger, make_problem, make_task, system_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("body", ["null", "0", "true", "[{}]", '"e"'])
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_bug1_a_non_object_body_from_a_contact_editor_is_a_400(api_for, users, tree, body, method):
    member = make_member(tree.branch_a, name="王强")
    resp = api_for(users.secretary_a).generic(
        method, f"/api/v1/members/{member.pk}/", body, content_type="application/json"
    )
    assert resp.status_code == 400
    assert resp.json()["detail"] == "请求体必须是一个 JSON 对象（{...}）。"


@pytest.mark.parametrize("param", ["parent", "within"])
def test_bug2_out_of_range_ids_in_filters_are_a_400(api_for, users, param):
    assert api_for(users.city_staff).get("/api/v1/organizations/", {param: "1e30"}).status_code == 400


def test_bug3_changing_kind_runs_the_placement_rules_for_children(api_for, users, tree):
    # branch_a has a party group below: it cannot become a committee.
    resp = api_for(users.street_staff).patch(
        f"/api/v1/organizations/{tree.branch_a.pk}/", {"kind": "committee"}, format="json"
    )
    assert resp.status_code == 400 and "kind" in resp.json()
    tree.branch_a.refresh_from_db()
    assert tree.branch_a.kind == "branch"


def test_bug3_a_committee_with_committees_below_cannot_become_a_general_branch(api_for, users, tree):
    resp = api_for(users.city_staff).patch(
        f"/api/v1/organizations/{tree.district_a.pk}/", {"kind": "general_branch"}, format="json"
    )
    assert resp.status_code == 400 and "kind" in resp.json()


def test_bug4_a_form_encoded_review_without_approve_is_a_400(api_for, users, tree):
    ledger = make_ledger(tree.branch_a)
    resp = api_for(users.street_staff).post(f"/api/v1/responsibility/ledgers/{ledger.pk}/review/", {"comment": "x"})
    assert resp.status_code == 400 and "approve" in resp.json()
    ledger.refresh_from_db()
    assert ledger.status == "draft"


def test_bug4_a_form_encoded_signoff_without_approve_is_a_400(api_for, users, tree):
    rect = make_problem(tree.branch_a).rectification
    resp = api_for(users.street_staff).post(f"/api/v1/responsibility/rectifications/{rect.pk}/signoff/", {})
    assert resp.status_code == 400 and "approve" in resp.json()


def test_bug5_recruitment_dates_must_follow_the_stages_and_the_application(api_for, users, tree):
    rec = recruitment_create(
        acting_user=users.district_staff,
        organization=tree.branch_a,
        name="申请人",
        id_number=make_id_number(),
        applied_on=datetime.date(2025, 9, 25),
    )
    resp = api_for(users.district_staff).patch(
        f"/api/v1/recruitments/{rec.pk}/", {"candidate_on": "2000-01-01", "confirmed_on": "2000-01-02"}, format="json"
    )
    assert resp.status_code == 400
    text = json.dumps(resp.json(), ensure_ascii=False)
    assert "不能早于递交入党申请日期" in text
    resp = api_for(users.district_staff).patch(
        f"/api/v1/recruitments/{rec.pk}/", {"candidate_on": "2025-12-01"}, format="json"
    )
    assert resp.status_code == 400 and "须先填写" in json.dumps(resp.json(), ensure_ascii=False)


def test_bug6_re_marking_a_done_task_keeps_its_completion_date(tree, users):
    task = make_task(tree.branch_a, due_date=datetime.date.today() + datetime.timedelta(days=30))
    issued = task.issued_on
    done_on = max(issued, datetime.date.today() - datetime.timedelta(days=1))
    resp_services.task_progress_update(
        acting_user=system_user(), task=task, status="done", evidence="材料", completed_on=done_on
    )
    resp_services.task_progress_update(acting_user=system_user(), task=task, status="done")
    task.refresh_from_db()
    assert task.completed_on == done_on


def test_bug7_sqlite_survives_concurrent_read_then_write_transactions(tmp_path):
    """Two threads doing read-then-write transactions on the embedded default: with WAL, BEGIN IMMEDIATE
    and a busy timeout, none gets "database is locked"."""
    script = textwrap.dedent(
        f"""
        import os, threading, django
        os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings.base"
        os.environ["DATABASE_URL"] = "sqlite:///{tmp_path / "c.sqlite3"}"
        django.setup()
        from django.db import connection, connections, transaction
        with connection.cursor() as c:
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)")
            c.execute("INSERT INTO t VALUES (1, 0)")
            c.execute("PRAGMA journal_mode")
            print("mode", c.fetchone()[0])
        errors = []
        def work():
            try:
                for _ in range(60):
                    with transaction.atomic():
                        with connections["default"].cursor() as c:
                            c.execute("SELECT n FROM t WHERE id = 1")
                            n = c.fetchone()[0]
                            c.execute("UPDATE t SET n = %s WHERE id = 1", [n + 1])
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                connections.close_all()
        threads = [threading.Thread(target=work) for _ in range(3)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        with connection.cursor() as c:
            c.execute("SELECT n FROM t WHERE id = 1")
            print("n", c.fetchone()[0])
        print("errors", errors)
        """
    )
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("DATABASE_URL",)}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "mode wal" in out.stdout and "n 180" in out.stdout and "errors []" in out.stdout, out.stdout


def test_bug8_lenient_parsing_is_gone(api_for, users, tree):
    api = api_for(users.city_staff)
    assert api.get("/api/v1/organizations/", {"page": "AAA"}).status_code == 404
    assert api.get("/api/v1/responsibility/tasks/", {"year": "0.5"}).status_code == 400
    assert api.get("/api/v1/organizations/", {"page_size": "100000"}).status_code == 400
    resp = api.patch(f"/api/v1/organizations/{tree.branch_a.pk}/", {"short_name": "甲\x07支部"}, format="json")
    assert resp.status_code == 400 and "控制字符" in resp.json()["detail"]
    resp = api.patch(f"/api/v1/organizations/{tree.branch_a.pk}/", {"short_name": "甲\x1b支部"})
    assert resp.status_code == 400
