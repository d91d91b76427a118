"""The OpenAPI document validates as OpenAPI 3, and /api/v1/docs works offline under the site's CSP."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from helpdesk.security import CSP

CONTRACT = {
    ("get", "/api/v1/users/me"),
    ("patch", "/api/v1/users/me"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("patch", "/api/v1/users/{user_id}"),
    ("get", "/api/v1/categories"),
    ("get", "/api/v1/jurisdictions"),
    ("get", "/api/v1/departments"),
    ("get", "/api/v1/enterprises"),
    ("post", "/api/v1/enterprises"),
    ("get", "/api/v1/tickets"),
    ("post", "/api/v1/tickets"),
    ("get", "/api/v1/tickets/{ticket_id}"),
    ("post", "/api/v1/tickets/{ticket_id}/actions"),
    ("get", "/api/v1/tickets/{ticket_id}/events"),
    ("get", "/api/v1/tickets/{ticket_id}/comments"),
    ("post", "/api/v1/tickets/{ticket_id}/comments"),
    ("post", "/api/v1/tickets/{ticket_id}/attachments"),
    ("get", "/api/v1/attachments/{attachment_id}"),
    ("get", "/api/v1/reports/resolution"),
    ("post", "/api/v1/auth/token"),
    ("delete", "/api/v1/auth/token"),
    ("post", "/api/v1/tickets/similar"),
    ("get", "/api/v1/tickets/{ticket_id}/similar"),
    ("get", "/api/v1/common-issues"),
    ("post", "/api/v1/common-issues"),
    ("get", "/api/v1/common-issues/{issue_id}"),
    ("patch", "/api/v1/common-issues/{issue_id}"),
    ("post", "/api/v1/common-issues/{issue_id}/tickets"),
    ("delete", "/api/v1/common-issues/{issue_id}/tickets/{ticket_id}"),
    ("post", "/api/v1/common-issues/{issue_id}/resolve"),
}


def test_openapi_document_is_valid_openapi_3(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    validate(document)


def test_openapi_document_lists_every_endpoint_of_the_contract(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    documented = {(method, path) for path, item in paths.items() for method in item if method != "parameters"}
    assert CONTRACT <= documented


def test_bearer_security_is_documented_and_the_token_endpoint_is_public(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearerAuth": []}]
    assert document["paths"]["/api/v1/auth/token"]["post"]["security"] == []


def test_docs_page_has_no_inline_script_and_keeps_the_strict_csp(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CSP
    assert "'unsafe-inline'" not in CSP.split("script-src")[1].split(";")[0]
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert len(scripts) == 3
    for attributes, body in scripts:
        assert "src=" in attributes and not body.strip()
    assert not re.search(r"\son[a-z]+=", html)
    assert "http://" not in html and "https://" not in html  # nothing from the internet


def test_docs_assets_are_served_by_the_app(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(urls) >= 5
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(response.get_data()) > 0
        response.close()
    initializer = next(u for u in urls if u.endswith("docs-init.js"))
    response = client.get(initializer)
    script = response.get_data(as_text=True)
    response.close()
    assert "SwaggerUIBundle" in script and "validatorUrl: null" in script
    spec_url = re.search(r'data-spec-url="([^"]+)"', html).group(1)
    assert spec_url == "/api/v1/openapi.json"


def test_only_the_needed_swagger_files_are_served(client):
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404
    assert client.get("/api/v1/docs/assets/../../../etc/passwd").status_code == 404
