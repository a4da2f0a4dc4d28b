from typing import Any


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
    try:
        from apps.notifications.selectors import unread_notice_count
    except ImportError:
        pass
    else:
        ctx["unread_notice_count"] = unread_notice_count(user=user)
    return ctx
