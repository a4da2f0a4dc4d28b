"""The month's three letter jobs on a real Celery worker (Redis broker, PostgreSQL), exactly once.

Run: REDIS_URL=redis://127.0.0.1:6379/5 DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_sup \
     pytest -m integration tests/integration
The worker is a subprocess (``celery -A dangjian worker --pool=solo``) pointed at pytest-django's test
database (``test_<name>``), so the test uses ``transactional_db``: rows are committed where the worker sees them.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.result import EagerResult
from django.conf import settings
from django.db import connection

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a Redis server) for a real worker"),
]

ROOT = Path(__file__).resolve().parents[2]


def _db_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_app():
    from dangjian.celery import app

    # The settings come in with the CELERY_ namespace, and the namespaced key wins: set both spellings.
    app.conf.update(CELERY_TASK_ALWAYS_EAGER=False, task_always_eager=False)
    app.control.purge()
    yield app
    app.conf.update(CELERY_TASK_ALWAYS_EAGER=True, task_always_eager=True)


@pytest.fixture
def worker(transactional_db, celery_app):
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database it can share: run with a PostgreSQL DATABASE_URL")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dangjian.settings.base",
        "DATABASE_URL": _db_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "EMAIL_URL": "consolemail://",
    }
    celery = str(Path(sys.executable).with_name("celery"))
    name = f"sup-it-{os.getpid()}@%h"
    proc = subprocess.Popen(
        [celery, "-A", "dangjian", "worker", "--pool=solo", "--loglevel=WARNING", "-n", name],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if celery_app.control.ping(timeout=1.0):
                break
            if proc.poll() is not None:
                pytest.fail("worker exited: " + proc.stdout.read().decode(errors="replace"))
        else:
            pytest.fail("worker did not answer a ping within 60 s")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _expected(period, stage, root):
    """(addressee -> item count) from the registered sources, as the service would group them."""
    from apps.core.due_items import collect_due_items
    from apps.organizations.models import Organization

    items = collect_due_items(period=period, stage=stage, root_path=root.path)
    active = set(Organization.objects.filter(is_active=True).values_list("id", flat=True))
    per = {}
    for it in items:
        if it.organization_id != root.pk and it.organization_id in active:
            per.setdefault(it.organization_id, set()).add((it.kind, it.object_ref, it.title))
    return {k: len(v) for k, v in per.items()}


def test_three_monthly_jobs_on_a_real_worker_exactly_once(worker, celery_app):
    from apps.accounts.services import user_create
    from apps.core.periods import Period
    from apps.notifications.models import Delivery, Notice
    from apps.organizations.demo import _city_spec, bulk_build
    from apps.supervision.letters import effective_rules
    from apps.supervision.models import Letter, LetterItem
    from apps.supervision.tasks import letters_issue_monthly_task

    root = bulk_build(_city_spec(random.Random(7)), rng=random.Random(7), today=Period.current().first_day)
    branch = Letter._meta.get_field("addressee").related_model.objects.filter(kind="branch").order_by("id").first()
    user_create(acting_user=None, username="it_sec", password="pw-It-12345", role="branch_secretary",
                organization=branch, display_name="集成测试书记", email="it@example.org")  # fmt: skip
    effective_rules()  # the default rule at the root
    period = Period.current()
    expected = {k: _expected(period, k, root) for k in ("reminder", "supervision")}

    def run(kind):
        res = letters_issue_monthly_task.apply_async(args=[kind, str(period)])
        assert not isinstance(res, EagerResult)  # really through Redis and the worker process
        return res.get(timeout=120)

    first = {k: run(k) for k in ("reminder", "supervision", "warning")}
    assert first["reminder"]["created"] == len(expected["reminder"]) > 50
    assert first["supervision"]["created"] == len(expected["supervision"]) > 50
    # warning stage: what is still due at month end, only where a supervision letter went out
    expected["warning"] = {a: n for a, n in _expected(period, "warning", root).items() if a in expected["supervision"]}
    assert first["warning"]["created"] == len(expected["warning"])

    for kind, exp in expected.items():
        got = dict(Letter.objects.filter(kind=kind, period=str(period)).values_list("addressee_id", "item_count"))
        assert got == exp, kind
        assert set(Letter.objects.filter(kind=kind).values_list("issuer_id", flat=True)) == {root.pk}
    assert LetterItem.objects.count() == sum(sum(e.values()) for e in expected.values())
    numbers = sorted(Letter.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))  # one sequence per issuer and year, no gaps

    again = {k: run(k) for k in ("reminder", "supervision", "warning")}
    assert all(r["created"] == 0 for r in again.values())
    counts = Counter(Letter.objects.values_list("issuer_id", "addressee_id", "kind", "period"))
    assert max(counts.values()) == 1
    assert Letter.objects.count() == sum(len(e) for e in expected.values())

    # the addressee's secretary got one in-app notice per letter; e-mail went out through the worker
    n_letters = Letter.objects.filter(addressee=branch).count()
    assert Notice.objects.filter(recipient__username="it_sec", category="letter").count() == n_letters
    deadline = time.monotonic() + 60
    while Delivery.objects.filter(channel="email", status="pending").exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert set(Delivery.objects.filter(channel="email").values_list("status", flat=True)) == {"sent"}
    assert settings.CELERY_TASK_ACKS_LATE
