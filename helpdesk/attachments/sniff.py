"""What a file really is, judged by its first bytes (and, for Office files, its ZIP directory) — never its name."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class FileType:
    extension: str
    mimetype: str


PDF = FileType("pdf", "application/pdf")
PNG = FileType("png", "image/png")
JPEG = FileType("jpg", "image/jpeg")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ALLOWED = (PDF, PNG, JPEG, DOCX, XLSX)

MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
ZIP_MAGIC = b"PK\x03\x04"
# The part every Word or Excel document has (ECMA-376): a ZIP without it is just a ZIP.
OFFICE_PARTS = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX))


def sniff(stream: BinaryIO) -> FileType | None:
    """The allowed type of a seekable file, or None; the stream is left at its start."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return None
        finally:
            stream.seek(0)
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            return None  # macro-enabled (.docm, .xlsm) renamed: not a plain document
        for part, kind in OFFICE_PARTS:
            if part in names:
                return kind
    return None
