"""Benchmark: the three monthly letter runs for a province-sized tree, through one Celery worker on Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_sup_bench REDIS_URL=redis://127.0.0.1:6379/5 \
        python bench/letters.py [--small] [--orgs N]

The database is a scratch database: the organization tree and everything hanging off it are TRUNCATEd first.
Per kind it prints the seconds from submitting the task to its letters being committed, letters/s, and the
rerun (must add 0 letters, target <= 2 s: a finished run is recorded in LetterRun and not redone), and the
forced rerun (``--force``: collect the due items again and re-check every addressee; also 0 new letters).
Baseline in the same run: collecting the due items alone (the read every run has to do), so "x baseline"
says what the writes cost on top.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.base")
from _common import add_tiny_flag, ensure_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true", help="5,000 organizations (under a minute)")
    parser.add_argument("--orgs", type=int, default=None)
    parser.add_argument("--in-process", action="store_true", help="call the service directly, no worker")
    add_tiny_flag(parser)
    args = parser.parse_args()
    if args.tiny:
        args.orgs = 300
        args.in_process = args.in_process or not os.environ.get("REDIS_URL")
    n_orgs = args.orgs or (5000 if args.small else 100_000)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database.")
    if not args.in_process and not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL (one worker is started against it), or pass --in-process.")
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.core.due_items import collect_due_items
    from apps.core.periods import Period
    from apps.organizations.demo import bulk_build, scale_spec
    from apps.supervision.letters import effective_rules, letters_issue_monthly
    from apps.supervision.models import Letter
    from dangjian.celery import app

    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("TRUNCATE organizations_organization, supervision_lettercounter RESTART IDENTITY CASCADE")
    period = Period.current()
    t = time.perf_counter()
    root = bulk_build(scale_spec(n_orgs), rng=random.Random(1), today=period.first_day)
    print(f"tree: {root.descendant_count + 1} organizations built in {time.perf_counter() - t:.1f} s")
    effective_rules()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    worker = None
    if not args.in_process:
        app.conf.update(CELERY_TASK_ALWAYS_EAGER=False, task_always_eager=False)
        app.control.purge()
        worker = subprocess.Popen(
            [str(Path(sys.executable).with_name("celery")), "-A", "dangjian", "worker", "--pool=solo",
             "--loglevel=WARNING", "-n", f"bench-{os.getpid()}@%h"],
            cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "dangjian.settings.base"},
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=1.0):
            if time.monotonic() > deadline or worker.poll() is not None:
                sys.exit("worker did not start")

    def run(kind: str, force: bool = False) -> int:
        if args.in_process:
            return letters_issue_monthly(kind=kind, period=period, force=force).created
        from apps.supervision.tasks import letters_issue_monthly_task

        res = letters_issue_monthly_task.apply_async(args=[kind, str(period), None, force])
        return res.get(timeout=600)["created"]

    try:
        print(f"{'kind':<12}{'letters':>9}{'run s':>9}{'letters/s':>11}{'due items s':>13}{'x baseline':>12}"
              f"{'rerun new':>11}{'rerun s':>9}{'forced new':>12}{'forced s':>10}")  # fmt: skip
        for kind in ("reminder", "supervision", "warning"):
            t = time.perf_counter()
            n_items = len(collect_due_items(period=period, stage=kind, root_path=root.path))
            base = time.perf_counter() - t
            t = time.perf_counter()
            created = run(kind)
            took = time.perf_counter() - t
            committed = Letter.objects.filter(kind=kind, period=str(period)).count()
            assert committed == created, (committed, created)
            t = time.perf_counter()
            again = run(kind)
            rerun = time.perf_counter() - t
            t = time.perf_counter()
            forced_new = run(kind, force=True)
            forced = time.perf_counter() - t
            print(f"{kind:<12}{created:>9}{took:>9.2f}{created / took:>11.0f}{base:>13.2f}{took / base:>12.1f}"
                  f"{again:>11}{rerun:>9.2f}{forced_new:>12}{forced:>10.2f}   ({n_items} due items)")  # fmt: skip
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)


if __name__ == "__main__":
    main()
