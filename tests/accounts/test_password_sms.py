"""Initial passwords by SMS: never shown or stored in clear, forced change, audited, rate-limited, failures shown."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.accounts import password_sms, provisioning
from apps.accounts.models import User
from apps.core.models import AuditLog, Parameter
from apps.core.params import invalidate
from apps.notifications.models import Delivery
from apps.notifications.sending import deliveries_send
from apps.notifications.sms import HttpSmsSender, MemorySmsSender, SmsGatewayError
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "apps.notifications.sms.MemorySmsSender"
    MemorySmsSender.outbox, MemorySmsSender.failing = [], set()
    return MemorySmsSender


@pytest.fixture
def secretaries(tree):
    a = make_member(tree.branch_a, name="张书记", phone="13800138001")
    b = make_member(tree.branch_b, name="李书记", phone="")
    for org, member in ((tree.branch_a, a), (tree.branch_b, b)):
        org.secretary_member = member
        org.save()
    return a, b


def _password_in(text: str) -> str:
    return text.split("码：")[1].split("。")[0]


def test_normalize_mobile():
    assert password_sms.normalize_mobile(" 138 0013-8000 ") == "13800138000"
    assert password_sms.normalize_mobile("+8613800138000") == "13800138000"
    assert password_sms.normalize_mobile("0571-88888888") == ""
    assert password_sms.normalize_mobile("12800138000") == ""


def test_reset_by_sms_sends_once_never_stores_clear_text_and_forces_a_change(sms, tree, users, caplog):
    target = users.secretary_a
    target.phone = "13900139000"
    target.save()
    caplog.set_level(logging.DEBUG)
    password_sms.user_reset_password_by_sms(acting_user=users.street_staff, user=target)
    deliveries_send()  # what the queued task does after commit
    target.refresh_from_db()
    assert target.must_change_password
    delivery = Delivery.objects.get(channel="sms", address="13900139000")
    assert delivery.status == "sent" and delivery.secret is None  # sent once, then erased
    phone, text = sms.outbox[-1]
    password = _password_in(text)
    assert phone == "13900139000" and target.check_password(password)
    assert password not in delivery.text and "******" in delivery.text
    assert password not in caplog.text
    audit = AuditLog.objects.get(event="user.password_sms", object_id=str(target.pk))
    assert "139****9000" in audit.note and password not in json.dumps(audit.changes, ensure_ascii=False)
    assert target.notices.filter(category="account").exists()


def test_a_secret_waits_sealed_and_a_newer_one_cancels_it(sms, tree, users, django_capture_on_commit_callbacks):
    target = users.secretary_a
    target.phone = "13900139000"
    target.save()
    with django_capture_on_commit_callbacks(execute=False):
        password_sms.user_reset_password_by_sms(acting_user=users.street_staff, user=target)
    first = Delivery.objects.get(channel="sms")
    assert first.status == "pending" and first.secret is not None
    assert b"13900139000" not in bytes(first.secret)
    with django_capture_on_commit_callbacks(execute=False):
        password_sms.user_reset_password_by_sms(acting_user=users.street_staff, user=target)
    first.refresh_from_db()
    assert first.status == "skipped" and first.secret is None
    deliveries_send()
    assert len(sms.outbox) == 1  # only the current password went out
    target.refresh_from_db()
    assert target.check_password(_password_in(sms.outbox[0][1]))


def test_failure_is_visible_to_the_admin_and_the_secret_is_dropped_when_given_up(sms, client_for, tree, users):
    target = users.secretary_a
    target.phone = "13900139000"
    target.save()
    sms.failing = {"13900139000"}
    Parameter.objects.create(key="notice_max_attempts", value="1")
    invalidate()
    password_sms.user_reset_password_by_sms(acting_user=users.street_staff, user=target)
    deliveries_send()
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == "dead" and delivery.secret is None and "网关拒绝" in delivery.last_error
    page = client_for(users.street_staff).get(reverse("accounts:user_detail", args=[target.pk])).content.decode()
    assert "发送失败" in page and "网关拒绝" in page and "139****9000" in page
    from apps.notifications.services import delivery_retry

    with pytest.raises(ValidationError):  # a given-up password SMS cannot be resent: reset again instead
        delivery_retry(acting_user=users.admin, delivery=delivery)


def test_sms_is_refused_without_a_usable_phone_or_a_delivering_backend(settings, tree, users):
    target = users.secretary_a
    target.phone = ""
    target.save()
    settings.SMS_BACKEND = "apps.notifications.sms.MemorySmsSender"
    with pytest.raises(ValidationError) as exc:
        password_sms.user_reset_password_by_sms(acting_user=users.street_staff, user=target)
    assert "手机号" in str(exc.value)
    settings.SMS_BACKEND = "apps.notifications.sms.LoggingSmsSender"  # logs only: cannot carry a password
    target.phone = "13900139000"
    target.save()
    with pytest.raises(ValidationError) as exc:
        password_sms.user_reset_password_by_sms(acting_user=users.street_staff, user=target)
    assert "未配置短信网关" in str(exc.value)
    assert not Delivery.objects.exists()
    target.refresh_from_db()
    assert not AuditLog.objects.filter(event="user.reset_password", object_id=str(target.pk)).exists()


def test_sms_is_rate_limited_per_account(sms, tree, users):
    target = users.secretary_a
    target.phone = "13900139000"
    target.save()
    Parameter.objects.create(key="password_sms_per_user_hour", value="2")
    invalidate()
    for _ in range(2):
        password_sms.user_reset_password_by_sms(acting_user=users.street_staff, user=target)
    with pytest.raises(ValidationError) as exc:
        password_sms.user_reset_password_by_sms(acting_user=users.street_staff, user=target)
    assert "一小时内" in str(exc.value)
    deliveries_send()
    assert len(sms.outbox) == 1  # the second replaced the first before it went out


def test_sms_reset_is_refused_outside_scope_and_above_the_ceiling(sms, client_for, tree, users):
    target = users.secretary_a
    target.phone = "13900139000"
    target.save()
    resp = client_for(users.district_b_staff).post(reverse("accounts:user_reset_sms", args=[target.pk]))
    assert resp.status_code == 404
    users.city_staff.phone = "13700137000"
    users.city_staff.save()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        password_sms.user_reset_password_by_sms(acting_user=users.street_staff, user=users.city_staff)
    assert sms.outbox == []


def test_create_page_sends_the_initial_password_by_sms_and_never_shows_it(sms, client_for, tree, users):
    client = client_for(users.street_staff)
    resp = client.post(
        reverse("accounts:user_create"),
        {"username": "smssec", "display_name": "短信书记", "phone": "13600136000", "organization": tree.branch_b.pk,
         "role": "branch_secretary", "delivery": "sms"},
    )  # fmt: skip
    user = User.objects.get(username="smssec")
    deliveries_send()
    assert resp["Location"] == reverse("accounts:user_detail", args=[user.pk])
    page = client.get(resp["Location"]).content.decode()
    password = _password_in(sms.outbox[-1][1])
    assert password not in page and "已发送" in page
    assert user.must_change_password and user.check_password(password)
    assert client.get(reverse("accounts:user_password_shown", args=[user.pk])).content.decode().count(password) == 0


def test_provisioning_by_sms_sends_to_secretaries_with_a_phone_and_lists_the_rest(
    sms, client_for, tree, users, secretaries
):
    client = client_for(users.street_staff)
    resp = client.post(
        reverse("accounts:provisioning"),
        {"org": tree.street_a.code, "organizations": [tree.branch_a.pk, tree.branch_b.pk], "by_sms": "on"},
    )
    assert resp.status_code == 302
    deliveries_send()
    with_phone = User.objects.get(member=secretaries[0])
    assert with_phone.phone == "13800138001" and with_phone.must_change_password
    assert [p for p, _t in sms.outbox] == ["13800138001"]
    assert with_phone.check_password(_password_in(sms.outbox[0][1]))
    batch = with_phone.provisioned_in
    assert batch.account_count == 2 and batch.sms_count == 1
    rows = provisioning.provisioning_take_passwords(acting_user=users.street_staff, batch=batch)
    assert [r[3] for r in rows] == [User.objects.get(member=secretaries[1]).username]  # only the one without
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "已发送" in page
    # rerunning opens nothing twice
    assert provisioning.provisioning_candidates(acting_user=users.street_staff, root=tree.street_a) == []


def test_provisioning_by_sms_refused_above_the_hourly_cap_writes_nothing(sms, tree, users, secretaries):
    Parameter.objects.create(key="password_sms_per_actor_hour", value="0")
    invalidate()
    with pytest.raises(ValidationError):
        provisioning.provisioning_commit(acting_user=users.street_staff, root=tree.street_a,
                                         organization_ids=[tree.branch_a.pk], by_sms=True)  # fmt: skip
    assert not User.objects.filter(member=secretaries[0]).exists() and sms.outbox == []


def test_reassign_by_sms_goes_to_the_new_secretary(sms, tree, users, secretaries):
    provisioning.provisioning_commit(acting_user=users.street_staff, root=tree.street_a,
                                     organization_ids=[tree.branch_a.pk], by_sms=True)  # fmt: skip
    account = User.objects.get(member=secretaries[0])
    successor = make_member(tree.branch_a, name="赵新书记", phone="13500135000")
    tree.branch_a.secretary_member = successor
    tree.branch_a.save()
    password_sms.user_reassign_by_sms(acting_user=users.street_staff, user=account)
    deliveries_send()
    account.refresh_from_db()
    assert account.member == successor and account.phone == "13500135000"
    assert sms.outbox[-1][0] == "13500135000" and account.check_password(_password_in(sms.outbox[-1][1]))


# -- the HTTP gateway backend, against a gateway on the loopback -------------------------------------------------


class _Gateway(BaseHTTPRequestHandler):
    received: list = []
    answer: dict = {"code": 0}

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        payload = json.dumps(type(self).answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.received, _Gateway.answer = [], {"code": 0}
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_address[1]}/sms"
    settings.SMS_GATEWAY_KEY_ID, settings.SMS_GATEWAY_SECRET = "dangjian", "s3cret"
    yield _Gateway
    server.shutdown()
    server.server_close()


def test_http_gateway_signs_the_request_and_reports_a_refusal_without_the_text(gateway):
    import hashlib
    import hmac

    HttpSmsSender().send(phone="13800138000", text="【党建平台】初始密码：Ab#12345", sensitive=True)
    headers, body = gateway.received[0]
    expected = hmac.new(b"s3cret", f"{headers['X-Sms-Timestamp']}\n{headers['X-Sms-Nonce']}\n".encode() + body,
                        hashlib.sha256).hexdigest()  # fmt: skip
    assert headers["X-Sms-Signature"] == expected and headers["X-Sms-Key-Id"] == "dangjian"
    assert json.loads(body)["phone"] == "13800138000"
    gateway.answer = {"code": "E403", "message": "签名错误"}
    with pytest.raises(SmsGatewayError) as exc:
        HttpSmsSender().send(phone="13800138000", text="初始密码：Ab#12345", sensitive=True)
    assert "E403" in str(exc.value) and "Ab#12345" not in str(exc.value)


def test_http_gateway_unreachable_or_unconfigured_raises_in_chinese(settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # discard port: nothing listens
    settings.SMS_GATEWAY_KEY_ID, settings.SMS_GATEWAY_SECRET = "k", "s"
    with pytest.raises(SmsGatewayError) as exc:
        HttpSmsSender().send(phone="13800138000", text="x")
    assert "无法连接短信网关" in str(exc.value)
    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(SmsGatewayError, match="未配置"):
        HttpSmsSender().send(phone="13800138000", text="x")


def test_file_backend_writes_the_outbox_private(settings, tmp_path):
    import os

    from apps.notifications.sms import FileSmsSender

    settings.SMS_FILE_PATH = str(tmp_path / "sms.txt")
    FileSmsSender().send(phone="13800138000", text="你好")
    assert "13800138000\t你好" in (tmp_path / "sms.txt").read_text(encoding="utf-8")
    assert oct(os.stat(tmp_path / "sms.txt").st_mode & 0o777) == "0o600"


def test_logging_backend_never_logs_a_secret(caplog):
    from apps.notifications.sms import LoggingSmsSender

    caplog.set_level(logging.INFO, logger="dangjian.sms")
    LoggingSmsSender().send(phone="13800138000", text="初始密码：Ab#12345", sensitive=True)
    assert "Ab#12345" not in caplog.text and "138****8000" in caplog.text


def test_api_reset_by_sms_never_returns_the_password_and_refuses_a_sibling(sms, api_for, tree, users):
    target = users.secretary_a
    target.phone = "13900139000"
    target.save()
    assert (
        api_for(users.district_b_staff).post(f"/api/v1/accounts/users/{target.pk}/reset-password-sms/").status_code
        == 404
    )
    resp = api_for(users.street_staff).post(f"/api/v1/accounts/users/{target.pk}/reset-password-sms/")
    assert resp.status_code == 200 and "password" not in resp.json() and resp.json()["phone"] == "139****9000"
    deliveries_send()
    assert _password_in(sms.outbox[-1][1]) not in resp.content.decode()
