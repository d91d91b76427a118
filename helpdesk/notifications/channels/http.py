"""POST a JSON document with a timeout and read a JSON answer (urllib: no dependency, proxies from the environment)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from helpdesk.notifications.channels import DeliveryError

MAX_ANSWER = 64 * 1024


def post_json(url: str, body: dict, *, timeout: float, headers: dict | None = None) -> dict:
    """The server's JSON answer to `body`; DeliveryError for a network failure, a timeout, an HTTP error or non-JSON.

    4xx answers (but 408 and 429) are permanent: the request itself is wrong (a bad key, a removed webhook).
    """
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return post_bytes(url, data, timeout=timeout, headers=headers)


def post_bytes(url: str, data: bytes, *, timeout: float, headers: dict | None = None) -> dict:
    if not url.startswith(("http://", "https://")):
        raise DeliveryError(f"not an http(s) URL: {url[:60]!r}", permanent=True)
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read(MAX_ANSWER)
    except urllib.error.HTTPError as exc:
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        raise DeliveryError(f"HTTP {exc.code} {exc.reason}", permanent=permanent) from exc
    except TimeoutError as exc:
        raise DeliveryError(f"no answer within {timeout:g} s") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise DeliveryError(f"no answer within {timeout:g} s") from exc
        raise DeliveryError(f"cannot connect: {reason}") from exc
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DeliveryError(f"the answer is not JSON: {raw[:80]!r}") from exc
    if not isinstance(answer, dict):
        raise DeliveryError(f"unexpected answer: {raw[:80]!r}")
    return answer
