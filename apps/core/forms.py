"""Form pieces shared by every app: the Chinese empty choice, the month input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import django.forms
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

EMPTY_CHOICE_LABEL = _("请选择…")


class FormRenderer(DjangoTemplates):
    """Django's own form templates, with this app's few overrides first (``apps/core/templates/django/forms``):
    the empty choice of every <select> (``---------`` in Django) reads 请选择… everywhere, admin included."""

    @cached_property
    def engine(self) -> Any:
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [Path(__file__).parent / "templates", Path(django.forms.__file__).parent / "templates"],
                "NAME": "djangoforms",
                "OPTIONS": {"builtins": ["django.templatetags.i18n"]},
            }
        )


class MonthInput(forms.TextInput):
    """<input type="month">: the browser's month picker, value YYYY-MM; labels say 月份, never the format."""

    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"placeholder": "2026-11", **(attrs or {})})
