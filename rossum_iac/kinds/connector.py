"""Connector: an external service that validates and exports data of the queues that use it."""

from __future__ import annotations

from rossum_iac.kinds.base import Field, KindDef
from rossum_iac.kinds.fragments import boolean, enum, metadata, nullable, string

KIND = KindDef(
    rank=30,
    name="Connector",
    collection="connectors",
    description="An external service that validates and exports data of the queues that use it.",
    folder="connectors",
    fields={
        "name": Field(string("Name of the connector (not visible in the UI)."), required=True),
        "service_url": Field(string("URL of the connector endpoint."), required=True),
        "params": Field(nullable("string", "Query parameters appended to service_url."), default=None),
        "client_ssl_certificate": Field(nullable("string", "PEM-encoded client certificate."), default=None),
        "client_ssl_key": Field(
            nullable("string", "PEM-encoded client key (write-only; use ${env.NAME})."), write_only=True
        ),
        "authorization_type": Field(
            enum(["secret_key", "Basic"], "How authorization_token is sent."), default="secret_key"
        ),
        "authorization_token": Field(
            nullable("string", "Token sent to the connector (use ${env.NAME})."), write_only=True
        ),
        "asynchronous": Field(boolean("Whether export calls the connector asynchronously."), default=True),
        "metadata": Field(metadata(), default={}),
        "queues": Field(read_only="is written from the queue side: set 'connector' on the Queue"),
    },
)
