"""/api/v1/docs: Swagger UI served by the app itself (government intranets have no internet: no CDN).

The page has no inline script: the initializer is a static file (static/docs-init.js), so the site's
Content-Security-Policy (script-src 'self') applies unchanged.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from helpdesk.extensions import limiter

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs", static_folder="static", template_folder="templates")

# The Swagger UI files the page loads; nothing else of the bundle is served.
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png"})


@bp.get("")
@limiter.exempt
def page():
    return render_template("api/docs.html")


@bp.get("/assets/<name>")
@limiter.exempt
def asset(name: str):
    if name not in ASSETS:
        abort(404)
    return send_from_directory(str(swagger_ui_path), name, max_age=86400)
