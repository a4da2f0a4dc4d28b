"""Text messages that carry a secret (an initial password), sent through the SMS channel a higher app offers.

``accounts`` sits below ``notifications`` in the layers, so it cannot import the SMS machinery; the
notifications app registers its channel here in ``AppConfig.ready()`` and accounts reaches it through
``secret_sms_channel()``. The channel's promise: the text is stored only sealed (encrypted) until it is sent
once, then erased; logs, pages and the API only ever see ``redacted``; a newer secret for the same user
cancels an older one still waiting; failures stay visible (``status``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SecretSms:
    user_id: int  # the account the secret belongs to (its inbox gets a notice without the secret)
    org_path: str
    phone: str
    text: str  # with the secret; sealed at rest, never logged
    redacted: str  # the same text with the secret masked: what pages and logs show
    title: str  # the notice in the account's own inbox


@dataclass(frozen=True)
class SecretSmsStatus:
    status: str  # a notifications DeliveryStatus value
    label: str  # Chinese, e.g. 已发送 / 发送失败（将重试）
    phone: str  # masked
    attempts: int
    error: str
    created_at: datetime.datetime
    sent_at: datetime.datetime | None

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "dead")


class SecretSmsChannel(Protocol):
    def available(self) -> bool:
        """Can messages really reach a phone (a gateway, or the dev/test file/memory backends)?"""

    def send(self, messages: Sequence[SecretSms]) -> None:
        """Queue the messages (inside the caller's transaction; sent after commit)."""

    def status(self, user_ids: Iterable[int]) -> dict[int, SecretSmsStatus]:
        """The latest secret SMS of each user, if any."""


_CHANNEL: list[SecretSmsChannel] = []


def register_secret_sms_channel(channel: SecretSmsChannel) -> None:
    _CHANNEL[:] = [channel]


def secret_sms_channel() -> SecretSmsChannel | None:
    return _CHANNEL[0] if _CHANNEL else None
