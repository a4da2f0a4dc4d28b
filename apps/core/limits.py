"""Bounded input: every text field has a maximum length.

CharFields carry ``max_length`` already. A ``TextField`` has none, so at start-up every model TextField
without one gets a ``MaxLengthValidator(TEXT_FIELD_MAX_LENGTH)`` (20,000 characters by default). The
validator runs in ``full_clean`` (model forms, services), and DRF's ModelSerializer copies it onto the
serializer field, so pages and the API refuse an 11 MB ``evidence`` with a Chinese message naming the
field. It is added to the field's validator list at run time, not to ``_validators``, so it never shows
up as a migration. Hand-written serializer/form fields declare their own ``max_length`` (a contract test
walks the API schema for string inputs without ``maxLength``).
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models

DEFAULT_TEXT_MAX = 20_000


def text_max_length() -> int:
    return int(getattr(settings, "TEXT_FIELD_MAX_LENGTH", DEFAULT_TEXT_MAX))


def apply_text_limits() -> None:
    limit = text_max_length()
    for model in apps.get_models():
        for field in model._meta.local_fields:
            if (
                isinstance(field, models.TextField)
                and field.max_length is None
                and not any(isinstance(v, MaxLengthValidator) for v in field.validators)
            ):
                field.validators.append(MaxLengthValidator(limit))
