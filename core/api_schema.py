"""OpenAPI postprocessing: every operation documents the error answers it can give, in the API's one error shape.

drf-spectacular documents the success answers from the serializers; the errors come from shared machinery (the
permission classes, jurisdiction scoping, core.api.exception_handler, the impossible-character middleware), so
they are added here in one place rather than on each view. Schemathesis checks each answer against this list.
"""

ERROR_SCHEMA = {
    "type": "object",
    "description": "Vietnamese and English message; `errors` lists each error with its field (null for the request "
                   "as a whole); a serializer's field errors are also keyed by field name.",
    "properties": {
        "detail": {"type": "string"},
        "message_vi": {"type": "string"},
        "message_en": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string", "nullable": True}, "message_vi": {"type": "string"}, "message_en": {"type": "string"}}}},
    },
    "additionalProperties": True,
}

ERRORS = {
    "400": "Dữ liệu không hợp lệ / Invalid input (a field, a filter or a character that is not allowed)",
    "401": "Chưa đăng nhập / Not authenticated",
    "403": "Không có quyền / Not allowed for this role (or second factor missing)",
    "404": "Không tìm thấy hoặc ngoài địa bàn / Not found or outside the user's jurisdiction",
    "409": "Người khác đã sửa trước / Someone else saved in between (send the current version)",
    "429": "Quá nhiều yêu cầu / Too many requests",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def add_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOK: 400/401/403/429 on every operation, 404 where a path names an object or a page,
    409 on writes."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    ref = {"$ref": "#/components/schemas/Error"}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["400", "401", "403", "429"]
            paginated = any(p.get("in") == "query" and p.get("name") == "page" for p in operation.get("parameters", []))
            if "{" in path or paginated:  # an object by id, or a page number past the end
                codes.append("404")
            if method in WRITE_METHODS:
                codes.append("409")
            responses = operation["responses"]
            for code in codes:
                responses.setdefault(code, {"description": ERRORS[code], "content": {"application/json": {"schema": ref}}})
    return result
