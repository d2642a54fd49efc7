"""What an uploaded attachment really is, read from its first bytes (its name and the browser's
stated type are the sender's claims), and whether we keep it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Signatures of programs a browser or an OS would run: refused whatever the file is called.
EXECUTABLE_SIGNATURES = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)

# (first bytes, type served on download) for the kinds of file people attach to notes.
KNOWN_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),  # also docx, xlsx, odt...
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # doc, xls, msg
    (b"{\\rtf", "application/rtf"),
)


def sniffed_type(head: bytes) -> str | None:
    """The content type of a file starting with `head`; None for one we don't accept."""
    if head.startswith(EXECUTABLE_SIGNATURES):
        return None
    for signature, content_type in KNOWN_SIGNATURES:
        if head.startswith(signature):
            return content_type
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A text file cut off inside a character still counts as text.
        if error.start < len(head) - 4:
            return None
    return "text/plain" if b"\x00" not in head else None


def checked_upload(upload) -> str:
    """The sniffed type of an acceptable upload; ValidationError saying why one isn't."""
    limit = settings.ACTIVITY_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s; attachments can be at most %(limit)s.")
            % {"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    content_type = sniffed_type(head)
    if content_type is None:
        raise ValidationError(
            _(
                "%(name)s is not a document, picture, archive or text file (programs are refused). "
                "Attach a PDF, an office document, a picture or a text file."
            )
            % {"name": upload.name}
        )
    return content_type
