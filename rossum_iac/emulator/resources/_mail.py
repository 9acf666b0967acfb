"""Parsing raw RFC 5322 messages for ``POST /emails/import`` (stdlib ``email`` package only)."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

BODY_LIMIT = 4096  # "shortened to 4kB" (reference, Email object)
# Documented import formats (PDF, images, office, xml/json...); anything else is filtered out.
ACCEPTED_PREFIXES = ("image/",)
ACCEPTED_TYPES = frozenset(
    {
        "application/pdf",
        "application/zip",
        "application/xml",
        "application/json",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/xml",
        "text/csv",
    }
)


@dataclass
class Attachment:
    file_name: str
    mime_type: str
    data: bytes
    accepted: bool


@dataclass
class ParsedEmail:
    subject: str = ""
    from_: dict[str, Any] = field(default_factory=dict)
    to: list[dict[str, Any]] = field(default_factory=list)
    cc: list[dict[str, Any]] = field(default_factory=list)
    bcc: list[dict[str, Any]] = field(default_factory=list)
    reply_to: str = ""
    message_id: str = ""
    date: str = ""
    body_text_plain: str = ""
    body_text_html: str = ""
    attachments: list[Attachment] = field(default_factory=list)

    def header_values(self) -> dict[str, str]:
        """Values for ``email_header:*`` / ``email_body:*`` rir_field_names (documented list)."""
        return {
            "email_header:from": self.from_.get("email", ""),
            "email_header:to": ", ".join(item["email"] for item in self.to),
            "email_header:reply-to": self.reply_to,
            "email_header:subject": self.subject,
            "email_header:message-id": self.message_id,
            "email_header:date": self.date,
            "email_body:text_plain": self.body_text_plain,
            "email_body:text_html": self.body_text_html,
        }


def _addresses(values: list[str]) -> list[dict[str, Any]]:
    out = []
    for name, address in getaddresses(values):
        if address:
            out.append({"email": address, "name": name or None})
    return out


def _safe_file_name(name: str) -> str:
    # "Invalid characters in attachment file names (e.g. /) are replaced with underscores."
    return re.sub(r"[/\\\x00-\x1f]", "_", name).strip() or "attachment"


def parse_message(raw: bytes) -> ParsedEmail:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    parsed = ParsedEmail(
        subject=str(message.get("subject", "") or ""),
        reply_to=str(message.get("reply-to", "") or ""),
        message_id=str(message.get("message-id", "") or ""),
        date=str(message.get("date", "") or ""),
    )
    senders = _addresses([str(value) for value in message.get_all("from", [])])
    parsed.from_ = senders[0] if senders else {}
    parsed.to = _addresses([str(value) for value in message.get_all("to", [])])
    parsed.cc = _addresses([str(value) for value in message.get_all("cc", [])])
    parsed.bcc = _addresses([str(value) for value in message.get_all("bcc", [])])
    for kind, key in (("plain", "body_text_plain"), ("html", "body_text_html")):
        part = message.get_body(preferencelist=(kind,))
        if part is not None:
            try:
                text = part.get_content()
            except (LookupError, ValueError):
                text = part.get_payload(decode=True).decode("utf-8", errors="replace")  # type: ignore[union-attr]
            setattr(parsed, key, str(text)[:BODY_LIMIT])
    counter = 0
    for part in message.iter_attachments():
        if part.is_multipart():
            continue
        counter += 1
        mime_type = part.get_content_type()
        data = part.get_payload(decode=True) or b""
        name = part.get_filename() or f"attachment-{counter}"
        accepted = mime_type in ACCEPTED_TYPES or mime_type.startswith(ACCEPTED_PREFIXES)
        parsed.attachments.append(Attachment(_safe_file_name(name), mime_type, bytes(data), accepted))
    return parsed
