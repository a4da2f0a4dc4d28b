from __future__ import annotations

from typing import Any

from django import template
from django.utils.http import urlencode

from apps.core import pii

register = template.Library()


@register.filter
def id_number_for(value: str | None, user: Any) -> str:
    return pii.id_number_for(user, value)


@register.filter
def phone_for(value: str | None, user: Any) -> str:
    return pii.phone_for(user, value)


@register.simple_tag(takes_context=True)
def query_replace(context: dict, **kwargs: Any) -> str:
    """The current query string with some parameters replaced (pagination links keep filters)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return urlencode(sorted(query.items()))


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def widget(field: Any) -> str:
    """Render a bound field, marking it invalid (Bootstrap) when it has errors."""
    if field.errors:
        css = field.field.widget.attrs.get("class", "")
        return field.as_widget(attrs={"class": f"{css} is-invalid".strip(), "aria-invalid": "true"})
    return field.as_widget()
