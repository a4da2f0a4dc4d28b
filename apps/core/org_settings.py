"""本单位设置: the rules an organization owns (letter rules, templates, its party day, funding standards, service
categories …) and the province-wide tables root administrators keep, each on a page of the app that owns it.

Apps register their sections in ``AppConfig.ready()``; the hub page lists those the user may open:

    register_section(key="supervision.letter_rule", label=_("三函规则"), url_name="supervision:letter_rule_settings",
                     allowed=lambda user: user.has_perm("supervision.change_letterrule"), group="unit")

``group`` is "unit" (the user's own organization's rules) or "root" (tables for the whole deployment).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Section:
    key: str
    label: Any
    url_name: str
    allowed: Callable[[Any], bool]
    group: str = "unit"
    description: Any = ""


_SECTIONS: dict[str, Section] = {}


def register_section(
    *, key: str, label: Any, url_name: str, allowed: Callable[[Any], bool], group: str = "unit", description: Any = ""
) -> None:
    _SECTIONS[key] = Section(key, label, url_name, allowed, group, description)


def sections_for(user: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {"unit": [], "root": []}
    for section in _SECTIONS.values():
        if not user.is_authenticated or not section.allowed(user):
            continue
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:
            continue
        out.setdefault(section.group, []).append(
            {"label": section.label, "url": url, "description": section.description}
        )
    return out
