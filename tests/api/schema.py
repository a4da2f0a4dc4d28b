"""Check real API responses against the generated OpenAPI schema (the same one ``scripts/fuzz-api`` fuzzes).

``assert_documented(response)`` finds the operation the request hit, requires its status code to be documented
and validates the JSON body against that status's schema with jsonschema. Objects are validated strictly: a key
the schema does not list is a failure too (drf-spectacular leaves ``additionalProperties`` open, so the fuzzer
would not notice an undocumented field; these tests do). The schema is generated once per test process.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import jsonschema


@functools.cache
def api_schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


def _to_json_schema(node: Any, *, strict: bool) -> Any:
    """OpenAPI 3.0 schema objects → JSON Schema: ``nullable`` becomes a null alternative; closed objects."""
    if isinstance(node, list):
        return [_to_json_schema(n, strict=strict) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v, strict=strict) for k, v in node.items() if k != "nullable"}
    if strict and "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def _components(strict: bool) -> dict[str, Any]:
    return _to_json_schema(api_schema()["components"], strict=strict)


@functools.cache
def _path_patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for template in api_schema()["paths"]:
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        patterns.append((re.compile(f"^{regex}$"), template))
    # Literal paths before templated ones: /members/dues-bases/ is not /members/{id}/.
    patterns.sort(key=lambda p: p[1].count("{"))
    return patterns


def operation_for(method: str, path: str) -> tuple[str, dict[str, Any]]:
    for regex, template in _path_patterns():
        if regex.match(path) and method.lower() in api_schema()["paths"][template]:
            return template, api_schema()["paths"][template][method.lower()]
    raise AssertionError(f"{method.upper()} {path} is not in the API schema")


def response_schema(method: str, path: str, status: int) -> dict[str, Any] | None:
    template, operation = operation_for(method, path)
    responses = operation["responses"]
    assert str(status) in responses, (
        f"{method.upper()} {template} answered {status}, the schema documents only {sorted(responses)}"
    )
    content = responses[str(status)].get("content") or {}
    return content.get("application/json", {}).get("schema")


def assert_documented(response: Any, *, strict: bool = True) -> Any:
    """The response's status is documented for its operation and its body matches; returns the parsed body."""
    request = response.wsgi_request
    method, path = request.method, request.path
    schema = response_schema(method, path, response.status_code)
    if schema is None:
        assert not response.content, f"{method} {path}: the schema documents no body for {response.status_code}"
        return None
    body = response.json()
    validator = jsonschema.Draft4Validator(
        {**_to_json_schema(schema, strict=strict), "components": _components(strict)}
    )
    errors = [_leaf(e) for e in validator.iter_errors(body)]
    if errors:
        lines = [f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message[-300:]}" for e in errors[:10]]
        raise AssertionError(
            f"{method} {path} → {response.status_code} does not match the schema:\n" + "\n".join(lines)
        )
    return body


def _leaf(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """The innermost reason under anyOf/allOf (the one naming the field), not "is not valid under any of"."""
    while error.context:
        error = jsonschema.exceptions.best_match(error.context)
    return error
