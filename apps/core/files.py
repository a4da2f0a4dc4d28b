"""Stored files: random names on disk, and one way out — a scoped view that calls ``serve_file``.

There is no ``/media/`` route in any mode. Each app exposes a download view for its file fields that
fetches the owning object through ``visible_to(user)`` (so out of scope is a 404) and returns
``serve_file(request, obj.file, ...)``: always an attachment, never sniffed, never cached by shared caches,
and audited when the file holds personal data.
"""

from __future__ import annotations

import mimetypes
import os
import secrets
from typing import Any
from urllib.parse import quote

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from django.views import View

from .audit import audit_record
from .models import AuditLog
from .scoping import get_visible_or_404


class RandomNameStorage(FileSystemStorage):
    """Keeps the directory from ``upload_to`` and the extension; the base name is 32 random hex digits.

    A stored name says nothing about the content (no hash of it, no sequence number, no user-chosen
    name), so names cannot be guessed or derived from a file someone already has.
    """

    def generate_filename(self, filename: str) -> str:
        directory, base = os.path.split(str(filename).replace("\\", "/"))
        ext = os.path.splitext(base)[1].lower()
        if not ext[1:].isalnum() or len(ext) > 10:
            ext = ""
        return super().generate_filename(os.path.join(directory, secrets.token_hex(16) + ext))


def content_disposition(filename: str) -> str:
    ascii_fallback = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in filename) or "file"
    return f"attachment; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(filename)}"


def serve_file(
    request: HttpRequest,
    fieldfile: FieldFile | None,
    *,
    filename: str | None = None,
    audit_obj: Any = None,
    audit_event: str = "",
    audit_action: str = AuditLog.Action.VIEW_PII,
) -> FileResponse:
    """Stream a stored file as a download. The caller has already fetched the owner within scope.

    ``audit_obj`` + ``audit_event``: write an audit row (for files with personal data, e.g. roster imports).
    """
    if not fieldfile or not fieldfile.name:
        raise Http404(_("文件不存在。"))
    try:
        handle = fieldfile.storage.open(fieldfile.name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("文件不存在。")) from exc
    name = filename or os.path.basename(fieldfile.name)
    if not os.path.splitext(name)[1]:
        name += os.path.splitext(fieldfile.name)[1]
    if audit_obj is not None and audit_event:
        audit_record(
            actor=request.user,
            event=audit_event,
            obj=audit_obj,
            action=audit_action,
            note=_("下载文件：%(n)s") % {"n": name},
        )
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or "html" in content_type or "svg" in content_type or "xml" in content_type:
        content_type = "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class ScopedFileView(LoginRequiredMixin, View):
    """``GET <pk>/`` → the object's file, fetched in the user's scope (else 404), as a download.

    Subclasses set ``model`` (an org-scoped model holding the file), and optionally ``file_field``,
    ``filename_attr`` (the original name shown to the user), ``audit_event`` (files with personal data)
    and ``permission_required`` (default: view permission on ``permission_model`` or ``model``).
    """

    model: Any = None
    permission_model: Any = None
    file_field = "file"
    filename_attr: str | None = "name"
    audit_event = ""
    permission_required: str | None = None

    def get_queryset(self) -> Any:
        return self.model._default_manager.all()

    def required_permission(self) -> str:
        if self.permission_required:
            return self.permission_required
        opts = (self.permission_model or self.model)._meta
        return f"{opts.app_label}.view_{opts.model_name}"

    def get(self, request: HttpRequest, pk: int, **kwargs: Any) -> FileResponse:
        obj = get_visible_or_404(self.get_queryset(), request.user, pk=pk)
        if not request.user.has_perm(self.required_permission()):
            raise PermissionDenied(_("您的角色没有此项操作的权限。"))
        fieldfile = getattr(obj, self.file_field)
        filename = str(getattr(obj, self.filename_attr, "") or "") if self.filename_attr else ""
        return serve_file(
            request,
            fieldfile,
            filename=filename or None,
            audit_obj=obj if self.audit_event else None,
            audit_event=self.audit_event,
        )
