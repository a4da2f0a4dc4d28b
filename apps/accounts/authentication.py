"""API tokens that expire (``API_TOKEN_TTL_HOURS``, default 7 days) and die on logout and password change."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_ttl() -> datetime.timedelta:
    return datetime.timedelta(hours=int(getattr(settings, "API_TOKEN_TTL_HOURS", 168)))


def token_is_expired(token: Token) -> bool:
    return token.created < timezone.now() - token_ttl()


def revoke_tokens(user: Any) -> int:
    if user is None or not getattr(user, "pk", None):
        return 0
    deleted, _rows = Token.objects.filter(user_id=user.pk).delete()
    return deleted


def token_for(user: Any) -> Token:
    """The user's token, a fresh one if the old one has expired."""
    token = Token.objects.filter(user=user).first()
    if token is not None and token_is_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> Any:
        user, token = super().authenticate_credentials(key)
        if token_is_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新获取。"))
        return user, token

    def authenticate_header(self, request: Any) -> str:
        return "Token"
