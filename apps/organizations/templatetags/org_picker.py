"""{% load org_picker %}: the organization picker for hand-written GET forms."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from apps.organizations.forms import OrganizationPickerInput

register = template.Library()


@register.simple_tag
def org_picker(name: str, org: Any, input_id: str = "") -> str:
    """{% org_picker "org" org "a-org" %}: the organization picker (search by name, 组织树) for a hand-written
    GET form whose view reads ``?org=<code>``; ``org`` is the organization the page shows (already scoped),
    so the box shows its name and no lookup runs."""
    widget = OrganizationPickerInput(
        attrs={"id": input_id or f"id_{name}", "class": "form-control-sm", "placeholder": _("输入名称搜索")}
    )
    value = (org.code, org.name) if org is not None else ""
    return widget.render(name, value)
