"""Panels the domain apps add to the home page, so core never imports them.

    register_panel(template="responsibility/_home_panel.html", build=selectors.home_panel)

``build(user=...)`` returns the template's ``panel`` context; panels appear in registration order.
``register_home_context(build)`` adds top-level context (e.g. the organizations app's summary figures).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_PANELS: list[tuple[str, Callable[..., dict[str, Any]]]] = []


def register_panel(*, template: str, build: Callable[..., dict[str, Any]]) -> None:
    if all(t != template for t, _ in _PANELS):
        _PANELS.append((template, build))


def home_panels(*, user: Any) -> list[dict[str, Any]]:
    """The panels that have something for this user (a build returning ``{"kind": None}`` or nothing is left
    out, so the home page's 今日待办 heading only appears above real content)."""
    panels = [{"template": template, "panel": build(user=user)} for template, build in _PANELS]
    return [p for p in panels if p["panel"] and p["panel"].get("kind", True) is not None]


_CONTEXT: list[Callable[..., dict[str, Any]]] = []


def register_home_context(build: Callable[..., dict[str, Any]]) -> None:
    if build not in _CONTEXT:
        _CONTEXT.append(build)


def home_context(*, user: Any) -> dict[str, Any]:
    ctx: dict[str, Any] = {}
    for build in _CONTEXT:
        ctx.update(build(user=user))
    return ctx
