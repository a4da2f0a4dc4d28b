"""/api/v1/accounts/users/: the account pages' rules (scope, role ceiling) over the API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.pii import phone_for
from apps.organizations.models import Organization

from .. import password_sms, services
from ..filters import UserFilterSet
from ..grants import can_manage_accounts
from ..models import Role, User
from ..selectors import is_stale_secretary, user_list


class UserSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True, default=None)
    phone = serializers.SerializerMethodField()
    secretary_changed = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "role",
            "role_display",
            "organization",
            "organization_name",
            "phone",
            "is_active",
            "must_change_password",
            "last_login",
            "date_joined",
            "secretary_changed",
        ]
        read_only_fields = fields

    def get_phone(self, obj: User) -> str:
        return phone_for(self.context["request"].user, obj.phone)

    def get_secretary_changed(self, obj: User) -> bool:
        return is_stale_secretary(obj)


class UserCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[A-Za-z0-9_.@+-]+$", max_length=50)
    display_name = serializers.CharField(max_length=50)
    phone = serializers.RegexField(r"^1\d{10}$", required=False, allow_blank=True)
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    role = serializers.ChoiceField(choices=Role.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["organization"].queryset = Organization.objects.visible_to(request.user)


class UserUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=50, required=False)
    phone = serializers.RegexField(r"^1\d{10}$", required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)


class PasswordSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(help_text="新的初始密码（只返回这一次）")


class PasswordSmsSerializer(serializers.Serializer):
    username = serializers.CharField()
    phone = serializers.CharField(help_text="已脱敏的手机号")
    sms_status = serializers.ChoiceField(choices=["pending", "sent", "failed", "dead", "skipped"])
    sms_status_display = serializers.CharField()


class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Accounts in the user's subtree, for those who may hand out roles. Filters: q, org, role, is_active,
    never_logged_in, locked. Creating returns the initial password once."""

    queryset = User.objects.all()
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    # The role ceiling (grants) decides, not model permissions: staff hand out roles without user.add_user.
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet:
        user = self.request.user
        if not can_manage_accounts(user):
            return User.objects.none()
        return user_list(user=user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.user.is_authenticated and not can_manage_accounts(request.user):
            raise PermissionDenied("您的角色不能管理账号。")

    def get_serializer_class(self) -> Any:
        return {"create": UserCreateSerializer, "partial_update": UserUpdateSerializer}.get(self.action, UserSerializer)

    @extend_schema(request=UserCreateSerializer, responses={201: PasswordSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = UserCreateSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        password = services.generate_password()
        user = services.user_create(
            acting_user=request.user, password=password, validate_password=False, **ser.validated_data
        )
        return Response({"username": user.username, "password": password}, status=status.HTTP_201_CREATED)

    @extend_schema(request=UserUpdateSerializer, responses={200: UserSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        target = self.get_object()
        ser = UserUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.user_update(acting_user=request.user, user=target, data=ser.validated_data)
        return Response(UserSerializer(target, context={"request": request}).data)

    @extend_schema(request=None, responses={200: PasswordSerializer})
    @action(detail=True, methods=["post"], url_path="reset-password")
    def reset_password(self, request: Request, pk: Any = None) -> Response:
        target = self.get_object()
        password = services.user_reset_password(acting_user=request.user, user=target)
        return Response({"username": target.username, "password": password})

    @extend_schema(request=None, responses={200: PasswordSmsSerializer})
    @action(detail=True, methods=["post"], url_path="reset-password-sms")
    def reset_password_sms(self, request: Request, pk: Any = None) -> Response:
        """Reset the password and send the new one only to the account's phone (never in the response)."""
        target = self.get_object()
        password_sms.user_reset_password_by_sms(acting_user=request.user, user=target)
        status_row = password_sms.sms_status([target.pk]).get(target.pk)
        return Response(
            {
                "username": target.username,
                "phone": status_row.phone if status_row else "",
                "sms_status": status_row.status if status_row else "pending",
                "sms_status_display": status_row.label if status_row else "待发送",
            }
        )

    @extend_schema(request=None, responses={200: UserSerializer})
    @action(detail=True, methods=["post"])
    def unlock(self, request: Request, pk: Any = None) -> Response:
        target = self.get_object()
        services.user_unlock(acting_user=request.user, user=target)
        return Response(UserSerializer(target, context={"request": request}).data)

    @extend_schema(request=None, responses={200: UserSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: Any = None) -> Response:
        target = services.user_set_active(acting_user=request.user, user=self.get_object(), active=False)
        return Response(UserSerializer(target, context={"request": request}).data)

    @extend_schema(request=None, responses={200: UserSerializer})
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: Any = None) -> Response:
        target = services.user_set_active(acting_user=request.user, user=self.get_object(), active=True)
        return Response(UserSerializer(target, context={"request": request}).data)
