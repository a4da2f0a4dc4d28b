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
from rest_framework.parsers import JSONParser

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
        return data
