"""Multipart bodies of uploads, document creation and email import (httpx ``files=`` mappings; conformance E7-E10).

JSON parts (``values``, ``metadata``) are given an empty filename, exactly as the SDK does: httpx then sends them
as plain form fields with ``Content-Type: application/json``. With a real filename the API answers 400 "Value must
be valid JSON." (a note in the SDK's ``domain_logic/upload.py``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

OCTET_STREAM = "application/octet-stream"
JSON_TYPE = "application/json"
EMAIL_FILENAME = "email.eml"


def _json_part(value: Mapping[str, Any]) -> tuple[str, str, str]:
    return ("", json.dumps(value), JSON_TYPE)


def upload_files(
    filename: str,
    content: bytes,
    values: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One file of ``import_document`` (``POST queues/{id}/upload``) or ``upload_document`` (``POST uploads``):
    ``content`` plus the optional ``values``/``metadata`` JSON parts (only when not ``None``)."""
    files: dict[str, Any] = {"content": (filename, content, OCTET_STREAM)}
    if values is not None:
        files["values"] = _json_part(values)
    if metadata is not None:
        files["metadata"] = _json_part(metadata)
    return files


def document_files(
    file_name: str,
    file_data: bytes,
    metadata: Mapping[str, Any] | None = None,
    parent: str | None = None,
) -> dict[str, Any]:
    """``create_new_document`` (``POST documents``): ``content`` (type guessed by httpx from the name),
    ``metadata`` always (``{}`` by default), ``parent`` (a document URL) when given."""
    files: dict[str, Any] = {"content": (file_name, file_data), "metadata": _json_part(metadata or {})}
    if parent is not None:
        files["parent"] = ("", parent)
    return files


def email_files(raw_message: bytes, recipient: str, mime_type: str | None = None) -> dict[str, Any]:
    """``import_email`` (``POST emails/import``): ``raw_message`` as ``email.eml`` and the ``recipient`` field."""
    raw_part: tuple[Any, ...] = (EMAIL_FILENAME, raw_message, mime_type) if mime_type else (EMAIL_FILENAME, raw_message)
    return {"raw_message": raw_part, "recipient": (None, recipient)}
