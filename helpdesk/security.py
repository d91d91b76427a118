"""Security headers on every response (PRODUCT.md §9, §13)."""

from flask import Response, current_app, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
# Public, person-free responses that a browser or proxy may keep: the app's own assets.
CACHEABLE_ENDPOINTS = frozenset({"static", "bootstrap.static"})


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint not in CACHEABLE_ENDPOINTS and "no-store" not in headers.get("Cache-Control", ""):
        # Pages, files and API answers carry people's data: no browser or proxy keeps a copy (ASVS 8.2.1).
        headers["Cache-Control"] = "no-store"
    if current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response
