"""What an uploaded file really is, judged from its content, not from its name or declared type."""

from __future__ import annotations

import io
import zipfile

PDF = "application/pdf"
OFD = "application/ofd"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

EXTENSIONS = {PDF: ".pdf", OFD: ".ofd", DOCX: ".docx"}


def sniff_media_type(content: bytes) -> str | None:
    """PDF (`%PDF-`), OFD (a zip holding `OFD.xml`, GB/T 33190) or DOCX (a zip holding `word/document.xml`)."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "OFD.xml" in names:
            return OFD
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
    return None


def extension_matches(file_name: str, media_type: str) -> bool:
    return file_name.lower().endswith(EXTENSIONS.get(media_type, "\0"))
