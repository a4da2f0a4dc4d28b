from __future__ import annotations

from typing import Any

from django import template
from django.utils.http import urlencode
from django.utils.translation import gettext as _

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


@register.simple_tag
def filter_control(field: Any) -> str:
    """Render a filter field without the widget template machinery (dozens of <option> sub-templates per
    list page were the largest cost of rendering a list). Selects and text/number/date inputs only;
    anything else falls back to the normal widget."""
    from django import forms
    from django.utils.html import escape, format_html
    from django.utils.safestring import mark_safe

    widget = field.field.widget
    name, value = field.html_name, field.value()
    current = "" if value is None else str(value)
    if isinstance(widget, forms.NullBooleanSelect):
        current = {"True": "true", "False": "false", "2": "true", "3": "false"}.get(current, current)
        choices = [("", "---------"), ("true", _("是")), ("false", _("否"))]
    elif isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
        choices = list(field.field.choices) if hasattr(field.field, "choices") else widget.choices
    else:
        choices = None
    if choices is not None:
        options = []
        for key, label in choices:
            key = "" if key is None else str(key)
            selected = " selected" if key == current else ""
            options.append(f'<option value="{escape(key)}"{selected}>{escape(str(label))}</option>')
        return mark_safe(
            f'<select name="{escape(name)}" id="{escape(field.id_for_label)}" class="form-select form-select-sm">'
            + "".join(options)
            + "</select>"
        )
    if isinstance(widget, forms.widgets.Input):
        input_type = widget.input_type if widget.input_type in ("text", "number", "date", "search") else "text"
        return format_html(
            '<input type="{}" name="{}" id="{}" value="{}" placeholder="{}" class="form-control form-control-sm">',
            input_type,
            name,
            field.id_for_label,
            current,
            widget.attrs.get("placeholder", ""),
        )
    return field.as_widget()
