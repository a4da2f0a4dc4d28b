from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from apps.core.periods import Period
from apps.organizations.models import Organization


def pick_org(request: Any, *, param: str = "org") -> Organization:
    """The organization named by ``?org=<code>`` (or, typed in the picker, ``?org_search=<name>``) in the user's
    scope, else the user's own (404 outside)."""
    user = request.user
    code = (request.GET.get(param) or request.POST.get(param) or "").strip().split(" ", 1)[0]
    qs = Organization.objects.visible_to(user)
    typed = (request.GET.get(f"{param}_search") or request.POST.get(f"{param}_search") or "").strip()
    if code:
        org = qs.filter(code=code).first()
    elif typed:  # a name typed in the picker without choosing a suggestion (or without JavaScript)
        org = qs.filter(name=typed).first() or qs.filter(code=typed).first()
    else:
        org = qs.filter(pk=getattr(user, "organization_id", None)).first() or qs.order_by("path").first()
    if org is None:
        raise Http404(_("未找到，或不在您的管理范围内。"))
    return org


def pick_month(request: Any, *, default: Period | None = None) -> Period:
    value = request.GET.get("month") or request.POST.get("month")
    if value:
        try:
            return Period.parse(value)
        except Exception:
            pass
    return default or Period.current()
