"""SMS senders. ``settings.SMS_BACKEND`` (env ``SMS_BACKEND``) names the class:

- ``LoggingSmsSender`` (default): writes ordinary messages to the log; cannot deliver, so secrets (initial
  passwords) are refused rather than "sent" to a log.
- ``FileSmsSender``: development — appends each message to ``SMS_FILE_PATH`` (mode 0600), the developer's phone.
- ``MemorySmsSender``: tests — keeps messages in ``outbox``; phones in ``failing`` raise.
- ``HttpSmsSender``: production — a JSON POST to the SMS gateway at ``SMS_GATEWAY_URL``, signed with HMAC-SHA256
  (``SMS_GATEWAY_KEY_ID`` / ``SMS_GATEWAY_SECRET``), ``SMS_GATEWAY_TIMEOUT`` seconds.

A sender raises on failure; the delivery is recorded with the error and retried. ``sensitive`` messages carry a
secret: no sender logs their text, and an error message never quotes it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from apps.core.pii import mask_phone

logger = logging.getLogger("dangjian.sms")


class SmsGatewayError(Exception):
    """The gateway refused or could not be reached (the message is Chinese; it never quotes the text)."""


class SmsSender:
    """Send one text message; raise on failure (the delivery is recorded and retried)."""

    #: messages really reach a phone (secrets are sent only through a sender that delivers)
    delivers = True

    def send(self, *, phone: str, text: str, sensitive: bool = False) -> None:
        raise NotImplementedError


class LoggingSmsSender(SmsSender):
    """Default backend: writes the message to the log instead of sending it."""

    delivers = False

    def send(self, *, phone: str, text: str, sensitive: bool = False) -> None:
        if sensitive:
            logger.info("SMS to %s: (contains a secret; not logged)", mask_phone(phone))
        else:
            logger.info("SMS to %s: %s", phone, text)


class FileSmsSender(SmsSender):
    """Development backend: each message appended to ``settings.SMS_FILE_PATH`` (created with mode 0600)."""

    def send(self, *, phone: str, text: str, sensitive: bool = False) -> None:
        path = Path(getattr(settings, "SMS_FILE_PATH", settings.BASE_DIR / ".sms-outbox.txt"))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S}\t{phone}\t{text}\n")


class MemorySmsSender(SmsSender):
    """Test backend: keeps messages in ``outbox``; phones listed in ``failing`` raise."""

    outbox: list[tuple[str, str]] = []
    failing: set[str] = set()

    def send(self, *, phone: str, text: str, sensitive: bool = False) -> None:
        if phone in self.failing:
            raise SmsGatewayError(f"网关拒绝发送至 {mask_phone(phone)}")
        self.outbox.append((phone, text))


class HttpSmsSender(SmsSender):
    """A JSON SMS gateway (e.g. a government SMS platform's HTTP interface).

    ``POST SMS_GATEWAY_URL`` with ``{"phone", "content", "timestamp", "nonce"}`` and headers ``X-Sms-Key-Id``,
    ``X-Sms-Timestamp``, ``X-Sms-Nonce``, ``X-Sms-Signature`` = hex HMAC-SHA256(secret, "timestamp\\nnonce\\nbody").
    Success: HTTP 2xx with a JSON body whose ``code`` is 0, "0" or "OK"; anything else raises.
    """

    def __init__(self) -> None:
        self.url = getattr(settings, "SMS_GATEWAY_URL", "")
        self.key_id = getattr(settings, "SMS_GATEWAY_KEY_ID", "")
        self.secret = getattr(settings, "SMS_GATEWAY_SECRET", "")
        self.timeout = float(getattr(settings, "SMS_GATEWAY_TIMEOUT", 5))

    def send(self, *, phone: str, text: str, sensitive: bool = False) -> None:
        if not (self.url and self.key_id and self.secret):
            raise SmsGatewayError("短信网关未配置（SMS_GATEWAY_URL、SMS_GATEWAY_KEY_ID、SMS_GATEWAY_SECRET）")
        timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
        body = json.dumps(
            {"phone": phone, "content": text, "timestamp": timestamp, "nonce": nonce}, ensure_ascii=False
        ).encode()
        signature = hmac.new(self.secret.encode(), f"{timestamp}\n{nonce}\n".encode() + body, hashlib.sha256)
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Sms-Key-Id": self.key_id,
                "X-Sms-Timestamp": timestamp,
                "X-Sms-Nonce": nonce,
                "X-Sms-Signature": signature.hexdigest(),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            raise SmsGatewayError(f"短信网关返回 HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsGatewayError(f"无法连接短信网关：{getattr(exc, 'reason', exc)}") from None
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise SmsGatewayError("短信网关的应答不是 JSON") from None
        code = answer.get("code") if isinstance(answer, dict) else None
        if code not in (0, "0", "OK", "ok"):
            message = str(answer.get("message", "")) if isinstance(answer, dict) else ""
            raise SmsGatewayError(f"短信网关拒绝：{code} {message}"[:300])


def get_sms_sender() -> SmsSender:
    path = getattr(settings, "SMS_BACKEND", "apps.notifications.sms.LoggingSmsSender")
    return import_string(path)()


def sms_backend_delivers() -> bool:
    """Whether the configured backend reaches phones (without building it: a gateway may be unconfigured)."""
    path = getattr(settings, "SMS_BACKEND", "apps.notifications.sms.LoggingSmsSender")
    return bool(getattr(import_string(path), "delivers", False))
