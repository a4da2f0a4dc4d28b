"""Context every page gets: the navigation, plus what apps register here in ready() (e.g. the unread count).

register_page_context(lambda user: {"unread_notice_count": unread_notice_count(user=user)})
"""

from collections.abc import Callable
from typing import Any

_PAGE_CONTEXT: list[Callable[[Any], dict[str, Any]]] = []


def register_page_context(build: Callable[[Any], dict[str, Any]]) -> None:
    if build not in _PAGE_CONTEXT:
        _PAGE_CONTEXT.append(build)


def navigation(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .navigation import breadcrumb_trail, nav_items

    ctx: dict[str, Any] = {
        "nav_items": nav_items(user, request.path),
        "breadcrumb_trail": breadcrumb_trail(user, request.path),
        "show_api_docs": user.is_superuser or getattr(user, "role", None) == "system_admin",
    }
    for build in _PAGE_CONTEXT:
        ctx.update(build(user))
    return ctx
