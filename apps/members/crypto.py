"""Encryption at rest for ID numbers (PIPL sensitive personal information).

AES-256-GCM (authenticated) with a random 96-bit nonce per value; keys come from
``settings.PII_ENCRYPTION_KEYS = "keyid:base64key,keyid:base64key"``. The first key encrypts; any listed key
decrypts, chosen by the key id stored beside the ciphertext, so keys can be rotated by adding a new first
key and re-encrypting rows whose ``id_key_id`` is old (``services.member_ids_reencrypt``). Stored form:
``base64(nonce || ciphertext+tag)``; the key id is bound into the associated data so a value cannot be
replayed under another key id.

Exact search and uniqueness use an HMAC-SHA256 of the normalized number with ``settings.PII_HMAC_KEY``
(``id_hash``): deterministic, so it can be indexed, and useless without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from .validators import normalize_id_number

_AAD_PREFIX = b"members.id_number:"


@lru_cache(maxsize=8)
def _keys(spec: str) -> tuple[str, dict[str, AESGCM]]:
    entries: dict[str, AESGCM] = {}
    first = ""
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        key_id, _, b64 = part.partition(":")
        raw = base64.b64decode(b64)
        if len(raw) not in (16, 24, 32):
            raw = hashlib.sha256(raw).digest()  # tolerate passphrase-like dev keys; production gives 32 bytes
        entries[key_id] = AESGCM(raw)
        first = first or key_id
    if not entries:
        raise RuntimeError("PII_ENCRYPTION_KEYS is empty")
    return first, entries


def current_key_id() -> str:
    return _keys(settings.PII_ENCRYPTION_KEYS)[0]


def encrypt(value: str) -> tuple[str, str]:
    """Return (key_id, token)."""
    key_id, keys = _keys(settings.PII_ENCRYPTION_KEYS)
    nonce = os.urandom(12)
    ct = keys[key_id].encrypt(nonce, value.encode(), _AAD_PREFIX + key_id.encode())
    return key_id, base64.b64encode(nonce + ct).decode("ascii")


def decrypt(key_id: str, token: str) -> str:
    if not token:
        return ""
    _, keys = _keys(settings.PII_ENCRYPTION_KEYS)
    raw = base64.b64decode(token)
    return keys[key_id].decrypt(raw[:12], raw[12:], _AAD_PREFIX + key_id.encode()).decode()


def blind_index(value: str) -> str:
    """HMAC-SHA256 (hex) of an already-normalized ID number."""
    return hmac.new(settings.PII_HMAC_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def id_number_fields(value: str) -> dict[str, str]:
    """Every stored column derived from a (normalized) ID number — used by the model and by bulk imports."""
    from apps.core.pii import mask_id_number

    value = normalize_id_number(value)
    if not value:
        return {"id_number_enc": "", "id_key_id": "", "id_hash": "", "id_masked": ""}
    key_id, token = encrypt(value)
    return {
        "id_number_enc": token,
        "id_key_id": key_id,
        "id_hash": blind_index(value),
        "id_masked": mask_id_number(value),
    }


def id_number_hash(normalized: str) -> str:
    return blind_index(normalized)


def encrypt_id_number(normalized: str) -> tuple[str, str]:
    """(ciphertext token, key id) — the order the bulk import expects."""
    key_id, token = encrypt(normalized)
    return token, key_id
