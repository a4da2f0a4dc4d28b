"""The API schema is the contract: every operation documents its error responses, with one error body.

A drf-spectacular post-processing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) adds the ``Error``
component — ``{"error": "<code>", "detail": "中文说明", <field>: ["..."]}``, what ``apps.core.api.exception_handler``
returns — and, to every operation, the error statuses the framework can answer: 400 (bad parameters or
body), 401 (no or expired credentials), 403 (role lacks the permission), 404 (missing or out of scope —
the same answer), 406 (unacceptable Accept), 415 (unsupported body type), 429 (throttled).
The token endpoint is marked as needing no authentication.

``AutoSchema`` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) documents what an output really holds: a read-only choice
field built from a model column that may be blank (``blank=True``) documents ``""`` among its values — DRF drops
``allow_blank`` from read-only fields, so without this the schema would promise a value that a row not yet
claimed, answered or followed up does not have.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from rest_framework import serializers

ERROR_SCHEMA = {
    "type": "object",
    "description": "错误响应：error 为机器可读的错误代码，detail 为中文说明；字段校验错误另以字段名列出各条信息。",
    "properties": {
        "error": {"type": "string", "description": "错误代码，如 invalid、not_found、permission_denied、throttled"},
        "detail": {"type": "string", "description": "中文错误说明"},
    },
    "required": ["error", "detail"],
    "additionalProperties": True,
}

ERRORS = {
    "400": "请求参数或请求体有误",
    "401": "未登录或令牌无效、已过期",
    "403": "当前角色无此操作权限",
    "404": "不存在，或不在您的管理范围内",
    "406": "无法按请求的格式返回",
    "415": "不支持的请求体类型",
    "429": "请求过于频繁，请稍后再试",
}
PUBLIC_OPERATIONS = {("/api/v1/auth/token/", "post")}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                if status == "415" and method in ("get", "delete"):
                    continue
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ref}}}
                )
            if (path, method) in PUBLIC_OPERATIONS:
                operation["security"] = [{}]
    return result


def _blank_model_column(field: serializers.Field) -> bool:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source or field.source == "*":
        return False
    try:
        return bool(model._meta.get_field(field.source).blank)
    except FieldDoesNotExist:
        return False


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        if (
            isinstance(field, serializers.ChoiceField)
            and not isinstance(field, serializers.MultipleChoiceField)
            and field.read_only
            and not field.allow_blank
            and _blank_model_column(field)
        ):
            field.allow_blank = True  # this instance exists only for the schema
        return super()._map_serializer_field(field, direction, bypass_extensions)
