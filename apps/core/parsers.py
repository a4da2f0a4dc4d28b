"""The API's JSON parser: an object at the top, a bounded size and a bounded nesting depth.

Deep nesting would otherwise reach Python's recursion limit (a 500); a bare ``null``/``0``/``[...]`` body
would reach code that expects a mapping. Both are refused with a 400 and a Chinese message.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

MAX_JSON_DEPTH = 32
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_depth(raw: bytes) -> int:
    depth = deepest = 0
    for m in _TOKENS.finditer(raw):
        tok = m.group(0)
        if tok in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif tok in (b"]", b"}"):
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        limit = int(getattr(settings, "JSON_BODY_MAX_BYTES", 2 * 1024 * 1024))
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(_("请求体过大（JSON 不得超过%(n)d KB）。") % {"n": limit // 1024}, code="body_too_large")
        if not raw.strip():
            return {}
        if json_depth(raw) > MAX_JSON_DEPTH:
            raise ParseError(_("JSON 嵌套层数过多（不得超过%(n)d层）。") % {"n": MAX_JSON_DEPTH}, code="json_too_deep")
        try:
            data = json.loads(raw.decode(self.charset if hasattr(self, "charset") else "utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ParseError(_("请求体不是有效的 JSON。"), code="parse_error") from exc
        if not isinstance(data, dict):
            raise ParseError(_("请求体必须是一个 JSON 对象（{...}）。"), code="not_an_object")
        refuse_control_characters(data)
        return data


#: C0 controls except tab, newline and carriage return; DEL; C1 controls. Invisible, and never typed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def refuse_control_characters(data: Any, path: str = "") -> None:
    if isinstance(data, str):
        if _CONTROL.search(data):
            raise ParseError(
                _("字段“%(f)s”含有不可见的控制字符，请删除后重试。") % {"f": path or "?"}, code="control_characters"
            )
    elif isinstance(data, dict):
        for key, value in data.items():
            refuse_control_characters(key, path)
            refuse_control_characters(value, str(key))
    elif isinstance(data, list):
        for value in data:
            refuse_control_characters(value, path)


class CheckedFormParser(FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        for key, values in data.lists():
            for value in values:
                refuse_control_characters(value, key)
        return data


class CheckedMultiPartParser(MultiPartParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        result = super().parse(stream, media_type, parser_context)
        for key, values in result.data.lists():
            for value in values:
                refuse_control_characters(value, key)
        return result
