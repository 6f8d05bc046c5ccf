"""What every test checks the same way about a problem+json response."""

from __future__ import annotations

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["title"] == TITLES[status]
    assert body["status"] == status
    assert isinstance(body["detail"], str)
    assert ("errors" in body) == (status == 422), body
    return body


def error_pairs(response) -> set[tuple[str, str]]:
    return {(error["field"], error["code"]) for error in assert_problem(response, 422)["errors"]}
