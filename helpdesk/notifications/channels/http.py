"""POST a JSON document with a timeout and read a JSON answer (http.client: the connection is always closed,
and the timeout bounds the connection and every read)."""

from __future__ import annotations

import http.client
import json
import ssl
import urllib.parse

from helpdesk.notifications.channels import DeliveryError

MAX_ANSWER = 64 * 1024


def post_json(url: str, body: dict, *, timeout: float, headers: dict | None = None) -> dict:
    """The server's JSON answer to `body`; DeliveryError for a network failure, a timeout, an HTTP error or non-JSON.

    4xx answers (but 408 and 429) are permanent: the request itself is wrong (a bad key, a removed webhook).
    """
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return post_bytes(url, data, timeout=timeout, headers=headers)


def post_bytes(url: str, data: bytes, *, timeout: float, headers: dict | None = None) -> dict:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryError(f"not an http(s) URL: {url[:60]!r}", permanent=True)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    try:
        connection.request(
            "POST", target, body=data, headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        )
        response = connection.getresponse()
        raw = response.read(MAX_ANSWER)
        status, reason = response.status, response.reason
    except TimeoutError as exc:
        raise DeliveryError(f"no answer within {timeout:g} s", unreachable=True) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"cannot connect: {exc}"[:500], unreachable=True) from exc
    finally:
        connection.close()
    if status >= 300:
        permanent = 400 <= status < 500 and status not in (408, 429)
        raise DeliveryError(f"HTTP {status} {reason}: {raw[:200]!r}", permanent=permanent)
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DeliveryError(f"the answer is not JSON: {raw[:80]!r}") from exc
    if not isinstance(answer, dict):
        raise DeliveryError(f"unexpected answer: {raw[:80]!r}")
    return answer
