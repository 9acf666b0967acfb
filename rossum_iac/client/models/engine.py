"""Engine and engine field (internal API; no public reference)."""

from __future__ import annotations

from enum import StrEnum

from ._base import RossumModel


class EngineType(StrEnum):
    EXTRACTOR = "extractor"
    SPLITTER = "splitter"


class EngineFieldType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    ENUM = "enum"


class Engine(RossumModel):
    id: int
    url: str
    name: str
    type: str
    learning_enabled: bool
    training_queues: list[str]
    description: str
    agenda_id: str
    organization: str


class EngineField(RossumModel):
    id: int
    url: str
    engine: str
    name: str
    tabular: bool
    label: str
    type: str
    multiline: str | bool
    subtype: str | None = None
    pre_trained_field_id: str | None = None
