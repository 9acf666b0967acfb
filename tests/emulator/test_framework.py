"""Unit tests of framework pieces that need no server: routing, multipart, durations."""

from __future__ import annotations

import pytest

from rossum_iac.emulator.fields import format_duration, parse_duration
from rossum_iac.emulator.http import BadRequest, MethodNotAllowed, NotFound, parse_multipart
from rossum_iac.emulator.routing import Router


def test_router_placeholders_and_errors():
    router = Router()
    router.add("GET", "/hooks/{id}", lambda r: "item")
    router.add("GET", "/hooks/logs", lambda r: "logs")
    router.add("GET", "/uploads/{name:str}", lambda r: "upload")
    route, params = router.resolve("GET", "/hooks/12/")
    assert params == {"id": 12} and route.handler(None) == "item"
    route, params = router.resolve("GET", "/hooks/logs")
    assert params == {} and route.handler(None) == "logs"
    assert router.resolve("GET", "/uploads/a.pdf")[1] == {"name": "a.pdf"}
    with pytest.raises(NotFound):
        router.resolve("GET", "/hooks/abc")
    with pytest.raises(MethodNotAllowed):
        router.resolve("POST", "/hooks/1")
    with pytest.raises(ValueError):
        router.add("GET", "/hooks/{id}", lambda r: None)


def test_multipart_parser_files_and_fields():
    body = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="content"; filename="inv oice.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n"
        b"%PDF-1.4\r\n\x00\x01binary\r\n"
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="values"; filename=""\r\n'
        b"Content-Type: application/json\r\n\r\n"
        b'{"a": 1}\r\n'
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="recipient"\r\n\r\n'
        b"inbox@example.com\r\n"
        b"--XyZ--\r\n"
    )
    parts = parse_multipart(body, 'multipart/form-data; boundary="XyZ"')
    assert [p.name for p in parts] == ["content", "values", "recipient"]
    assert parts[0].filename == "inv oice.pdf" and parts[0].data == b"%PDF-1.4\r\n\x00\x01binary"
    assert parts[0].content_type == "application/pdf"
    assert parts[1].filename == "" and parts[1].text() == '{"a": 1}'
    assert parts[2].filename is None and parts[2].text() == "inbox@example.com"


def test_multipart_parser_rejects_garbage():
    with pytest.raises(BadRequest):
        parse_multipart(b"hello", "multipart/form-data")
    with pytest.raises(BadRequest):
        parse_multipart(b"--b\r\nno headers here--b--", "multipart/form-data; boundary=b")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("01:00:00", "01:00:00"), ("90 00:00:00", "90 00:00:00"), ("3600", "01:00:00"), ("0", "00:00:00"),
     ("1.5", "00:00:01.500000"), ("2 days, 01:02:03", "2 01:02:03")],
)  # fmt: skip
def test_durations_round_trip_in_django_format(text, expected):
    assert format_duration(parse_duration(text)) == expected
