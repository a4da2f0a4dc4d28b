"""The SMS sender interface. Production plugs a provider in via ``settings.SMS_BACKEND`` (a dotted path)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("dangjian.sms")


class SmsSender:
    """Send one text message; raise on failure (the delivery is recorded and retried)."""

    def send(self, *, phone: str, text: str) -> None:
        raise NotImplementedError


class LoggingSmsSender(SmsSender):
    """Default backend: writes the message to the log instead of sending it."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class MemorySmsSender(SmsSender):
    """Test backend: keeps messages in ``outbox``; phones listed in ``failing`` raise."""

    outbox: list[tuple[str, str]] = []
    failing: set[str] = set()

    def send(self, *, phone: str, text: str) -> None:
        if phone in self.failing:
            raise RuntimeError(f"gateway refused {phone}")
        self.outbox.append((phone, text))


def get_sms_sender() -> SmsSender:
    path = getattr(settings, "SMS_BACKEND", "apps.notifications.sms.LoggingSmsSender")
    return import_string(path)()
