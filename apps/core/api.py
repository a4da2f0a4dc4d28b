"""Base classes for the REST API: one permission class, one scoped viewset, one exception handler."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from rest_framework import exceptions, serializers, viewsets
from rest_framework.fields import empty
from rest_framework.views import exception_handler as drf_exception_handler

from .permissions import ScopedModelPermissions  # noqa: F401  (re-exported)
from .scoping import scoped_queryset


def validation_error_detail(exc: DjangoValidationError) -> Any:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc: Exception, context: dict) -> Any:
    """Service errors (Django's ValidationError / PermissionDenied) become 400 / 403 with Chinese messages."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    return drf_exception_handler(exc, context)


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
