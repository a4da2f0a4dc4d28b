"""Base classes for the REST API: one permission class, one scoped viewset, one exception handler."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.fields import empty
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .permissions import ScopedModelPermissions  # noqa: F401  (re-exported)
from .scoping import scoped_queryset


def validation_error_detail(exc: DjangoValidationError) -> Any:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


STATUS_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
}


def _first_message(data: Any) -> str:
    if isinstance(data, dict):
        for value in data.values():
            text = _first_message(value)
            if text:
                return text
        return ""
    if isinstance(data, (list, tuple)):
        return _first_message(data[0]) if data else ""
    return str(data)


def exception_handler(exc: Exception, context: dict) -> Any:
    """The API's one error body: ``{"error": "<code>", "detail": "中文说明", <field>: ["..."], ...}``.

    Service errors (Django's ValidationError / PermissionDenied) become 400 / 403 with Chinese messages;
    validation errors keep their per-field lists next to ``error`` and ``detail`` (the first message). The code
    is under ``error`` because ``code`` is a field name (an organization's code) that a 400 may list.
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    code = STATUS_CODES.get(response.status_code, "error")
    if isinstance(exc, exceptions.APIException) and not isinstance(exc, exceptions.ValidationError):
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
    if isinstance(data, dict) and set(data) <= {"detail"}:
        body = {"error": code, "detail": str(data.get("detail", ""))}
    elif isinstance(data, dict):
        body = {"error": code, "detail": _first_message(data), **{k: v for k, v in data.items() if k != "detail"}}
    else:
        body = {"error": code, "detail": _first_message(data), "non_field_errors": data}
    response.data = body
    return response


class ScopedViewSetMixin:
    """Rows come from ``visible_to(request.user)``; out-of-scope detail URLs are 404 like missing ones."""

    queryset: models.QuerySet

    def get_queryset(self) -> models.QuerySet:
        qs = scoped_queryset(self.queryset.all(), self.request.user)
        return self.optimize_queryset(qs)

    def optimize_queryset(self, qs: models.QuerySet) -> models.QuerySet:
        return qs


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Writes go through services: subclasses implement perform_create/update/destroy with the service."""


class RequiredBooleanField(serializers.BooleanField):
    """A required yes/no: missing is an error in every encoding.

    DRF's BooleanField reads a missing key in form-encoded or multipart input as ``False`` (HTML checkbox
    semantics), so a sign-off without ``approve`` would be silently refused instead of a 400.
    """

    default_empty_html = empty


class LabelledSerializer(serializers.Serializer):
    """Field errors name the field, as the services' do: 「最少次数：请填写合法的整数。」 (DRF's own messages don't)."""

    def run_validation(self, data: Any = empty) -> Any:
        try:
            return super().run_validation(data)
        except exceptions.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            raise exceptions.ValidationError(
                {name: self._labelled(name, messages) for name, messages in exc.detail.items()}
            ) from None

    def _labelled(self, name: str, messages: Any) -> Any:
        field = self.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        if not label or not isinstance(messages, list) or not all(isinstance(m, str) for m in messages):
            return messages
        return [m if str(m).startswith(label) else f"{label}：{m}" for m in messages]


class RootTableViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A deployment-wide rule table (the whole table, not paged): any signed-in user reads it, root
    administrators write it through the app's service (which checks the root administrator again, validates
    and audits). A subclass names its serializers and services and documents them with ``root_table_schema``.

    ``put_clears``: the items a PUT that leaves them out sets back (e.g. the optional intervals)."""

    pagination_class = None
    filter_backends: list[Any] = []
    lookup_value_regex = r"[0-9]{1,9}"
    create_serializer_class: type[serializers.Serializer]
    update_serializer_class: type[serializers.Serializer]
    put_clears: dict[str, Any] = {}

    def get_permissions(self) -> list[Any]:
        from .permissions import RootAdminWrites

        return [RootAdminWrites()]

    def create_row(self, *, acting_user: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update_row(self, *, acting_user: Any, obj: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def create(self, request: Any) -> Any:
        ser = self.create_serializer_class(data=request.data)
        ser.is_valid(raise_exception=True)
        row = self.create_row(acting_user=request.user, data=dict(ser.validated_data))
        return Response(self.get_serializer_class()(row).data, status=201)

    def update(self, request: Any, *args: Any, partial: bool = False, **kwargs: Any) -> Any:
        obj = self.get_object()
        ser = self.update_serializer_class(data=request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data) if partial else {**self.put_clears, **ser.validated_data}
        row = self.update_row(acting_user=request.user, obj=obj, data=data)
        return Response(self.get_serializer_class()(row).data)

    def partial_update(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return self.update(request, *args, partial=True, **kwargs)


def root_table_schema(output: Any, create: Any, update: Any) -> Any:
    """The create/update/partial_update documentation of a RootTableViewSet subclass."""
    from drf_spectacular.utils import extend_schema, extend_schema_view

    return extend_schema_view(
        create=extend_schema(request=create, responses={201: output}),
        update=extend_schema(request=update, responses={200: output}),
        partial_update=extend_schema(request=update(partial=True), responses={200: output}),
    )
