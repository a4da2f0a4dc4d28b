"""Shared helpers for the benchmarks: a bench database, concurrent HTTP-level timing through Django's test
client (the whole request: middleware, auth, scoping, templates), percentiles and query counts."""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: the port of the bench's gunicorn server (BENCH_PORT; each developer / CI job uses its own)
BENCH_PORT = int(os.environ.get("BENCH_PORT", "8765"))


def add_tiny_flag(parser) -> None:
    """Every bench has ``--tiny``: a few hundred rows, seconds, same figure lines, non-zero exit on a failed
    step. ``scripts/bench-tiny`` runs them all (CI's PostgreSQL run)."""
    parser.add_argument("--tiny", action="store_true", help="a few hundred rows, a few seconds (CI smoke run)")


def setup_django(default_db: str = "postgres://postgres@127.0.0.1:5432/dangjian_bench") -> None:
    os.environ.setdefault("DATABASE_URL", default_db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.base")
    os.environ.setdefault("DEBUG", "False")
    os.environ.setdefault("AXES_ENABLED", "False")
    os.environ.setdefault("CONN_MAX_AGE", "600")
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_database(url: str) -> None:
    """Create the (PostgreSQL) bench database if it does not exist."""
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def summary(latencies: list[float], wall: float) -> dict:
    return {
        "n": len(latencies),
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 95),
        "max": max(latencies),
        "rps": len(latencies) / wall,
    }


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def fmt(name: str, r: dict) -> str:
    return (
        f"{name:<44} p50 {r['p50']:7.1f} ms   p95 {r['p95']:7.1f} ms   max {r['max']:7.1f} ms   "
        f"queries {r['queries']:2d}   {r['rps']:6.1f} req/s"
    )


class Server:
    """A real gunicorn server (several worker processes) on loopback, against the bench database."""

    def __init__(self, workers: int = 4, port: int = BENCH_PORT) -> None:
        self.workers, self.port = workers, port
        self.proc = None

    def __enter__(self) -> Server:
        import subprocess
        import urllib.request

        env = {**os.environ, "DEBUG": "False", "ALLOWED_HOSTS": "127.0.0.1,localhost", "AXES_ENABLED": "False"}
        self.proc = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "dangjian.wsgi:application",
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--keep-alive",
                "30",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        return self

    def __exit__(self, *exc: object) -> None:
        stop_server(self.proc)


def stop_server(proc) -> None:
    """Stop a server process; on a loaded machine gunicorn may take long to drain, so kill it after 30 s."""
    import subprocess

    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def http_load(
    path_for: Callable[[int], str],
    *,
    cookie: str,
    port: int = BENCH_PORT,
    clients: int = 8,
    per_client: int = 25,
    warmup: int = 2,
) -> dict:
    """``clients`` threads, each with its own keep-alive HTTP connection, issue requests back to back."""
    import http.client
    import urllib.parse

    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def worker(idx: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"}
        try:
            for i in range(warmup + per_client):
                t0 = time.perf_counter()
                path = urllib.parse.quote(path_for(idx * per_client + i), safe="/?=&%")
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                dt = (time.perf_counter() - t0) * 1000
                if resp.status != 200:
                    errors.append(f"{resp.status} {path_for(i)}")
                    return
                if i >= warmup:
                    with lock:
                        latencies.append(dt)
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise RuntimeError(errors[0])
    return summary(latencies, wall)


def count_queries(user, path: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(path)
    assert resp.status_code == 200, (path, resp.status_code)
    return len(ctx.captured_queries)
