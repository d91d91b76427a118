"""Attachments: allowed types judged by content, size limits, random storage names, authorised downloads."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from helpdesk.attachments.services import MAX_BYTES
from helpdesk.tickets.models import Attachment
from tests.api.conftest import assert_error_shape


def zip_with(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
DOCX = zip_with("word/document.xml")
XLSX = zip_with("xl/workbook.xml")
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"This program cannot be run in DOS mode."


@pytest.fixture()
def ticket(world):
    return world.ticket("in_progress")


def download(client, url, headers):
    """GET a file and close the response (send_file streams from an open file)."""
    response = client.get(url, headers=headers)
    response.get_data()
    response.close()
    return response


def upload(client, headers, ticket_id, content: bytes, filename: str, **form):
    # Encoded here, in memory: the test client would spool a big body to a temporary file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), filename=filename), **form})
    return client.post(
        f"/api/v1/tickets/{ticket_id}/attachments",
        data=body,
        headers=headers,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@pytest.mark.parametrize(
    "content, filename, mimetype, stored_as",
    [
        (PDF, "营业执照.pdf", "application/pdf", "营业执照.pdf"),
        (PNG, "photo.png", "image/png", "photo.png"),
        (JPEG, "现场照片.JPEG", "image/jpeg", "现场照片.JPEG"),
        (DOCX, "申请书.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "申请书.docx"),
        (XLSX, "台账.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "台账.xlsx"),
        (PNG, "scan.pdf", "image/png", "scan.png"),  # the content decides, and the name follows it
        (PDF, "../../etc/passwd", "application/pdf", "passwd.pdf"),
    ],
)
def test_allowed_types_are_stored_and_served_back(
    client, app, world, bearer, ticket, content, filename, mimetype, stored_as
):
    headers = bearer(world.owner)
    response = upload(client, headers, ticket.id, content, filename)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["content_type"] == mimetype
    assert body["filename"] == stored_as
    assert body["size"] == len(content)
    assert body["internal"] is False
    assert body["uploader"] == {"id": world.owner.id, "name": world.owner.name}

    served = download(client, body["url"], bearer(world.liaison))
    assert served.status_code == 200
    assert served.get_data() == content
    assert served.mimetype == mimetype
    documented = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/attachments/{attachment_id}"]
    assert served.headers["Content-Type"] in documented["get"]["responses"]["200"]["content"]
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_files_are_stored_outside_static_under_random_names(client, app, db, world, bearer, ticket):
    body = upload(client, bearer(world.owner), ticket.id, PDF, "营业执照.pdf").get_json()
    attachment = db.session.get(Attachment, body["id"])
    folder = Path(app.config["UPLOAD_FOLDER"]).resolve()
    stored = folder / attachment.stored_name
    assert stored.read_bytes() == PDF
    assert "营业执照" not in attachment.stored_name and len(attachment.stored_name) >= 32
    assert not str(stored).startswith(str(Path(app.static_folder).resolve()))
    assert not [name for name in os.listdir(folder) if name.startswith(".upload-")]  # no temporary file left


@pytest.mark.parametrize(
    "content, filename",
    [
        (EXE, "invoice.pdf"),
        (EXE, "photo.png"),
        (zip_with("payload.exe"), "report.docx"),
        (zip_with("word/document.xml", "word/vbaProject.bin"), "macro.docx"),
        (b"PK\x03\x04 not really a zip", "sheet.xlsx"),
        (b"<html><script>alert(1)</script></html>", "page.pdf"),
        (b"GIF89a" + b"\x00" * 20, "anim.png"),
    ],
)
def test_content_that_is_not_allowed_is_415_whatever_its_name(client, db, world, bearer, ticket, content, filename):
    response = upload(client, bearer(world.owner), ticket.id, content, filename)
    assert_error_shape(response, 415)
    assert db.session.query(Attachment).count() == 0


def test_a_file_over_10_mb_is_413(client, world, bearer, ticket):
    response = upload(client, bearer(world.owner), ticket.id, PDF + b"0" * (MAX_BYTES - len(PDF) + 1), "big.pdf")
    assert_error_shape(response, 413)


def test_exactly_10_mb_is_accepted(client, world, bearer, ticket):
    response = upload(client, bearer(world.owner), ticket.id, PDF + b"0" * (MAX_BYTES - len(PDF)), "big.pdf")
    assert response.status_code == 201
    assert response.get_json()["size"] == MAX_BYTES


def test_a_request_over_max_content_length_is_413_json(client, app, world, bearer, ticket):
    content = PDF + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    assert_error_shape(upload(client, bearer(world.owner), ticket.id, content, "huge.pdf"), 413)


def test_declared_content_length_over_the_limit_is_413_json(client, app, world, bearer, ticket):
    response = client.post(
        f"/api/v1/tickets/{ticket.id}/attachments",
        data=b"--x\r\n",
        headers=bearer(world.owner),
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"CONTENT_LENGTH": str(app.config["MAX_CONTENT_LENGTH"] + 1)},
    )
    assert_error_shape(response, 413)


@pytest.mark.parametrize("data", [{}, {"file": "not a file"}])
def test_missing_file_is_422(client, world, bearer, ticket, data):
    response = client.post(
        f"/api/v1/tickets/{ticket.id}/attachments",
        data=data,
        headers=bearer(world.owner),
        content_type="multipart/form-data",
    )
    assert_error_shape(response, 422)


def test_empty_file_is_422(client, world, bearer, ticket):
    response = upload(client, bearer(world.owner), ticket.id, b"", "empty.pdf")
    assert_error_shape(response, 422)
    assert response.get_json()["errors"] == {"multipart": {"file": ["The file is empty."]}}


def test_internal_attachments_are_hidden_from_enterprise_users(client, world, bearer, ticket):
    cadre, owner = bearer(world.liaison), bearer(world.owner)
    internal = upload(client, cadre, ticket.id, PDF, "内部材料.pdf", internal="true")
    assert internal.status_code == 201
    public = upload(client, cadre, ticket.id, PNG, "public.png")
    listed_by_owner = client.get(f"/api/v1/tickets/{ticket.id}/attachments", headers=owner).get_json()
    assert [a["id"] for a in listed_by_owner] == [public.get_json()["id"]]
    listed_by_cadre = client.get(f"/api/v1/tickets/{ticket.id}/attachments", headers=cadre).get_json()
    assert [a["id"] for a in listed_by_cadre] == [internal.get_json()["id"], public.get_json()["id"]]
    assert_error_shape(client.get(internal.get_json()["url"], headers=owner), 404)
    assert download(client, internal.get_json()["url"], bearer(world.supervisor)).status_code == 200


def test_enterprise_user_cannot_upload_internal_files(client, world, bearer, ticket):
    assert_error_shape(upload(client, bearer(world.owner), ticket.id, PDF, "x.pdf", internal="true"), 403)


def test_attachments_of_a_ticket_the_caller_cannot_see_are_404(client, world, bearer, ticket):
    url = upload(client, bearer(world.owner), ticket.id, PDF, "x.pdf").get_json()["url"]
    for outsider in (world.stranger, world.other_supervisor, world.hrss_cadre):
        headers = bearer(outsider)
        assert_error_shape(client.get(url, headers=headers), 404)
        assert_error_shape(client.get(f"/api/v1/tickets/{ticket.id}/attachments", headers=headers), 404)
        assert_error_shape(upload(client, headers, ticket.id, PDF, "x.pdf"), 404)


def test_unknown_form_fields_are_422(client, world, bearer, ticket):
    response = upload(client, bearer(world.owner), ticket.id, PDF, "x.pdf", colour="red")
    assert_error_shape(response, 422)
    assert "colour" in response.get_json()["errors"]["multipart"]
