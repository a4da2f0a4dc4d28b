from __future__ import annotations

from typing import Any

from django.http import HttpResponseRedirect
from django.urls import reverse

_ALLOWED_PREFIXES = ("/static/", "/favicon.ico")


class ForcePasswordChangeMiddleware:
    """An account opened or reset by someone else changes its password before it does anything else."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = (reverse("accounts:password_change"), reverse("accounts:logout"))
            path = request.path
            if not path.startswith(_ALLOWED_PREFIXES) and path not in allowed:
                if path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse(
                        {"detail": "首次登录或密码被重置后须先修改密码，请在网页上修改后再使用接口。",
                         "code": "password_change_required"},
                        status=403,
                    )  # fmt: skip
                return HttpResponseRedirect(reverse("accounts:password_change"))
        return self.get_response(request)
