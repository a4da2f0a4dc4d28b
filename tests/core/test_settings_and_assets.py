import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_check_deploy_without_warnings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dangjian.settings.production",
        "SECRET_KEY": "x" * 30 + "-Production-Key-0123456789-abcdefghij",
        "ALLOWED_HOSTS": "dangjian.example.org",
        "PII_ENCRYPTION_KEYS": "k1:" + "A" * 43 + "=",
        "PII_HMAC_KEY": "h" * 40,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests in this process only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_no_template_loads_assets_from_the_internet():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"""(?:src|href)=["'](https?:)?//""", text):
            offenders.append(f"{path.relative_to(ROOT)}: {text[m.start() : m.start() + 60]}")
    assert offenders == []


@pytest.mark.django_db
def test_api_docs_page_uses_only_local_assets(client, users):
    client.force_login(users.city_staff)
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)
    assert external == []


@pytest.mark.django_db
def test_openapi_schema_is_served(client, users):
    client.force_login(users.city_staff)
    resp = client.get("/api/schema/")
    assert resp.status_code == 200
    assert b"/api/v1/organizations/" in resp.content


def test_spectacular_command_generates_a_schema(tmp_path):
    out = tmp_path / "schema.yml"
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--file", str(out), "--validate", "--fail-on-warn"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "openapi" in out.read_text()
