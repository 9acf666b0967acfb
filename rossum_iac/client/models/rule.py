"""Rule (TxScript trigger condition + actions). Each action's ``payload`` is typed by the action's ``type``;
an unknown type, or a payload that does not fit its type, stays the raw ``dict``."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, SkipValidation, ValidationError, model_validator

from ._base import RossumModel


class RuleActionType(StrEnum):
    SHOW_MESSAGE = "show_message"
    ADD_AUTOMATION_BLOCKER = "add_automation_blocker"
    CHANGE_STATUS = "change_status"
    CHANGE_QUEUE = "change_queue"
    ADD_LABEL = "add_label"
    REMOVE_LABEL = "remove_label"
    ADD_REMOVE_LABEL = "add_remove_label"
    SHOW_HIDE_FIELD = "show_hide_field"
    SHOW_FIELD = "show_field"
    HIDE_FIELD = "hide_field"
    ADD_VALIDATION_SOURCE = "add_validation_source"
    SEND_EMAIL = "send_email"


class RuleActionEvent(StrEnum):
    VALIDATION = "validation"
    ANNOTATION_IMPORTED = "annotation_imported"
    ANNOTATION_CONFIRMED = "annotation_confirmed"
    ANNOTATION_EXPORTED = "annotation_exported"


class ShowMessagePayload(RossumModel):
    type: str
    content: str
    schema_id: str | None = None


class AddAutomationBlockerPayload(RossumModel):
    content: str
    schema_id: str | None = None


class ChangeStatusPayload(RossumModel):
    method: str


class ChangeQueuePayload(RossumModel):
    queue_id: int
    reimport: bool | None = None


class LabelsPayload(RossumModel):
    """Payload of ``add_label``, ``remove_label`` and ``add_remove_label``."""

    labels: list[str]


class SchemaIdsPayload(RossumModel):
    """Payload of ``show_hide_field``, ``show_field`` and ``hide_field``."""

    schema_ids: list[str]


class AddValidationSourcePayload(RossumModel):
    schema_id: str


class SendEmailPayload(RossumModel):
    """Either ``email_template`` (+ ``attach_document``) or ``to``/``subject``/``body`` (+ ``cc``/``bcc``)."""

    email_template: str | None = None
    attach_document: bool = False
    to: list[str] | None = None
    subject: str | None = None
    body: str | None = None
    cc: list[str] | None = None
    bcc: list[str] | None = None


RuleActionPayload = (
    ShowMessagePayload
    | AddAutomationBlockerPayload
    | ChangeStatusPayload
    | ChangeQueuePayload
    | LabelsPayload
    | SchemaIdsPayload
    | AddValidationSourcePayload
    | SendEmailPayload
)

PAYLOAD_BY_ACTION_TYPE: dict[str, type[RossumModel]] = {
    RuleActionType.SHOW_MESSAGE: ShowMessagePayload,
    RuleActionType.ADD_AUTOMATION_BLOCKER: AddAutomationBlockerPayload,
    RuleActionType.CHANGE_STATUS: ChangeStatusPayload,
    RuleActionType.CHANGE_QUEUE: ChangeQueuePayload,
    RuleActionType.ADD_LABEL: LabelsPayload,
    RuleActionType.REMOVE_LABEL: LabelsPayload,
    RuleActionType.ADD_REMOVE_LABEL: LabelsPayload,
    RuleActionType.SHOW_HIDE_FIELD: SchemaIdsPayload,
    RuleActionType.SHOW_FIELD: SchemaIdsPayload,
    RuleActionType.HIDE_FIELD: SchemaIdsPayload,
    RuleActionType.ADD_VALIDATION_SOURCE: AddValidationSourcePayload,
    RuleActionType.SEND_EMAIL: SendEmailPayload,
}


class RuleAction(RossumModel):
    id: str
    type: str
    payload: SkipValidation[RuleActionPayload | dict[str, Any]]
    event: str
    enabled: bool = True

    @model_validator(mode="before")
    @classmethod
    def _type_payload(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        payload = data.get("payload")
        model = PAYLOAD_BY_ACTION_TYPE.get(str(data.get("type")))
        if not isinstance(payload, dict | RossumModel):
            raise ValueError(f"rule action payload must be an object, got {type(payload).__name__}")
        if model is not None and isinstance(payload, dict):
            try:
                return {**data, "payload": model.model_validate(payload)}
            except ValidationError:
                pass
        return data


_ActionOrRaw = Annotated[RuleAction | dict[str, Any], Field(union_mode="left_to_right")]


class Rule(RossumModel):
    id: int
    name: str
    enabled: bool
    organization: str
    queues: list[str] = Field(default_factory=list)
    trigger_condition: str = "True"
    url: str | None = None
    created_by: str | None = None
    created_at: str | None = None
    modified_by: str | None = None
    modified_at: str | None = None
    rule_template: str | None = None
    synchronized_from_template: bool = False
    actions: list[_ActionOrRaw] = Field(default_factory=list)
    description: str = ""
