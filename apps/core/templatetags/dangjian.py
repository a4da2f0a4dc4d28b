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


def bootstrap_class(widget: Any) -> str:
    """The Bootstrap class a widget gets when its form set none: settings forms built from bare ModelForms
    rendered as browser-default boxes with the label beside them (三函规则, 组织生活日, 工作日历 …)."""
    from django import forms

    if isinstance(widget, forms.RadioSelect):  # and CheckboxSelectMultiple: laid out by .choice-group
        return ""
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    if isinstance(widget, forms.HiddenInput):
        return ""
    return "form-control"


@register.filter
def widget(field: Any) -> str:
    """Render a bound field with Bootstrap's class for its kind (when the form gave it none), marking it
    invalid when it has errors."""
    css = field.field.widget.attrs.get("class") or bootstrap_class(field.field.widget)
    if field.errors:
        return field.as_widget(attrs={"class": f"{css} is-invalid".strip(), "aria-invalid": "true"})
    return field.as_widget(attrs={"class": css} if css else None)


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
        choices = [("", _("全部")), ("true", _("是")), ("false", _("否"))]
    elif isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
        choices = list(field.field.choices) if hasattr(field.field, "choices") else widget.choices
    else:
        choices = None
    if choices is not None:
        options = []
        for key, label in choices:
            key = "" if key is None else str(key)
            if key == "" and str(label).strip("-") == "":
                label = _("全部")
            selected = " selected" if key == current else ""
            options.append(f'<option value="{escape(key)}"{selected}>{escape(str(label))}</option>')
        return mark_safe(
            f'<select name="{escape(name)}" id="{escape(field.id_for_label)}" class="form-select form-select-sm">'
            + "".join(options)
            + "</select>"
        )
    if isinstance(widget, forms.widgets.Input):
        input_type = widget.input_type if widget.input_type in ("text", "number", "date", "month", "search") else "text"
        return format_html(
            '<input type="{}" name="{}" id="{}" value="{}" placeholder="{}" class="form-control form-control-sm">',
            input_type,
            name,
            field.id_for_label,
            current,
            widget.attrs.get("placeholder", ""),
        )
    return field.as_widget()


@register.simple_tag(takes_context=True)
def query_without(context: dict, *names: str) -> str:
    """The current query string without the given parameters (and without ``page``): a chip's remove link."""
    query = context["request"].GET.copy()
    for name in (*names, "page"):
        query.pop(name, None)
    return urlencode(sorted((k, v) for k in query for v in query.getlist(k)))


@register.simple_tag(takes_context=True)
def query_hidden_inputs(context: dict, *exclude: str) -> str:
    """Hidden inputs that carry the current query string through a GET form (the page-jump box)."""
    from django.utils.html import format_html_join

    query = context["request"].GET
    pairs = [(k, v) for k in sorted(query) if k not in exclude for v in query.getlist(k)]
    return format_html_join("", '<input type="hidden" name="{}" value="{}">', pairs)


@register.simple_tag
def filter_chips(filterset: Any) -> list[dict[str, str]]:
    """The active filters as (label, shown value, parameter names) for removable chips.

    Values are shown as people read them: choice labels, 是/否, an organization's name (one lookup per
    active model filter, so a page costs at most a few small queries)."""
    if filterset is None or not getattr(filterset, "is_bound", False):
        return []
    chips = []
    form = filterset.form
    data = filterset.data
    for name, field in form.fields.items():
        bound = form[name]
        raw = [v for v in (data.getlist(bound.html_name) if hasattr(data, "getlist") else [data.get(name)]) if v]
        params = [bound.html_name]
        # A widget with extra inputs (the organization picker's search box) is cleared with them.
        params += [bound.html_name + suffix for suffix in getattr(field.widget, "companion_params", ())]
        if not raw and hasattr(field, "fields"):  # range widgets: name_after / name_before etc.
            for sub in ("after", "before", "min", "max", "0", "1"):
                key = f"{bound.html_name}_{sub}"
                if data.get(key):
                    raw.append(data.get(key))
                    params.append(key)
        if not raw:
            continue
        shown = [_chip_value(field, v) for v in raw]
        chips.append({"label": str(field.label or name), "value": "、".join(shown), "params": params})
    return chips


def _chip_value(field: Any, value: str) -> str:
    from django import forms

    if isinstance(field, forms.NullBooleanField) or isinstance(field.widget, forms.NullBooleanSelect):
        return {"true": _("是"), "false": _("否"), "True": _("是"), "False": _("否"), "2": _("是"), "3": _("否")}.get(
            value, value
        )
    display = getattr(field.widget, "display_label", None)  # the organization picker: the name, in scope
    if display is not None:
        return str(display(value))
    if isinstance(field, forms.ModelChoiceField):
        try:
            obj = field.to_python(value)
        except Exception:
            return value
        return str(getattr(obj, "name", None) or obj) if obj is not None else value
    choices = getattr(field, "choices", None)
    if choices is not None:
        for key, label in choices:
            if str(key) == value:
                return str(label)
    return value


@register.simple_block_tag
def page_header(content: str, title: Any, subtitle: Any = "") -> str:
    """{% page_header title subtitle %}<a class="btn ...">…</a>{% endpage_header %}: the one page header
    (title, optional subtitle, the page's action buttons on the right)."""
    from django.template.loader import render_to_string

    return render_to_string("includes/page_header.html", {"title": title, "subtitle": subtitle, "actions": content})


_BROWSERS = [
    ("MicroMessenger", _("微信")),
    ("Edg", _("微软浏览器")),
    ("Firefox", _("火狐浏览器")),
    ("HeadlessChrome", _("无界面浏览器")),
    ("Chrome", _("谷歌浏览器")),
    ("Chromium", _("谷歌浏览器")),
    ("Safari", _("苹果浏览器")),
]
_DEVICES = [
    ("Android", _("安卓手机")),
    ("iPhone", _("苹果手机")),
    ("iPad", _("苹果平板")),
    ("Macintosh", _("苹果电脑")),
    ("Windows", _("电脑")),
    ("Linux", _("电脑")),
]


@register.filter
def device_label(user_agent: str | None) -> str:
    """A browser's self-description (``Mozilla/5.0 (X11; Linux …) …``) as people say it: 谷歌浏览器 · 电脑."""
    ua = user_agent or ""
    if not ua:
        return "—"
    browser = next((str(label) for key, label in _BROWSERS if key in ua), str(_("浏览器")))
    device = next((str(label) for key, label in _DEVICES if key in ua), "")
    return f"{browser} · {device}" if device else browser


@register.filter
def month_label(value: Any) -> str:
    """A stored month (``2026-11``, a Period or a date) as people read it: 2026年11月 (docs/ui.md)."""
    import datetime

    from apps.core.periods import Period

    if value in (None, ""):
        return "—"
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月"
    try:
        return Period.parse(value).label
    except Exception:  # not a month: shown as stored
        return str(value)
