"""Short-lived secrets kept encrypted at rest (initial passwords waiting to be handed over).

``seal(purpose, text)`` encrypts with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from
``SECRET_KEY`` and the purpose, so a token sealed for one purpose cannot be opened as another. Whoever holds a
sealed token erases it once it has been handed over (a downloaded list, a sent SMS).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet(purpose: str) -> Fernet:
    key = hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(purpose: str, text: str) -> bytes:
    return _fernet(purpose).encrypt(text.encode())


def unseal(purpose: str, token: bytes | memoryview) -> str:
    return _fernet(purpose).decrypt(bytes(token)).decode()
