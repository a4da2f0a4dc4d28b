from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from apps.core.pii import can_see_full_pii

from ..authentication import token_for
from .serializers import TokenRequestSerializer, TokenSerializer


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")
    organization_id = serializers.IntegerField(allow_null=True)
    organization_name = serializers.CharField(source="organization.name", default=None, allow_null=True)
    can_see_full_pii = serializers.SerializerMethodField()

    def get_can_see_full_pii(self, user: Any) -> bool:
        return can_see_full_pii(user)


class MeView(APIView):
    """The logged-in user, their role and organization."""

    permission_classes = [IsAuthenticated]
    serializer_class = MeSerializer

    def get(self, request: Any) -> Response:
        return Response(MeSerializer(request.user).data)


class TokenView(ObtainAuthToken):
    """Exchange username and password for an API token (failed attempts count toward lockout).

    Tokens expire after ``API_TOKEN_TTL_HOURS`` and are revoked on logout and on password change.
    """

    permission_classes: list = []
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle, AnonRateThrottle]
    throttle_scope = "login"
    serializer_class = TokenRequestSerializer

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer)
    def post(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = token_for(serializer.validated_data["user"])
        return Response({"token": token.key})
