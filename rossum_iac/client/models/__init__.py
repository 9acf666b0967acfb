"""pydantic v2 models of the Rossum API objects, one module per resource, and the default deserializer.

Field names and defaults follow the public SDK's dataclasses (rossum-api 3.17.0) so code reading ``queue.name``
or ``annotation.status`` keeps working; see ``_base`` for how they are more lenient (unknown keys kept, enum-like
fields are strings, ``null`` -> default).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..resources import Resource
from ._base import JsonDict, RossumModel
from .annotation import Annotation, AnnotationProcessingDuration, Prediction
from .automation import (
    AutomationProjections,
    AutomationSetupExcludeBlocker,
    AutomationStats,
    AutomationTarget,
    AutomationTargetType,
    DailyEstimatedErrorRate,
    DatapointAutomationTarget,
    DatapointStatistics,
    DocumentAutomationTimeSeriesData,
    DocumentBlocker,
    DocumentBlockerGranularity,
    FieldErrorRateLimit,
)
from .automation_blocker import AutomationBlocker, AutomationBlockerContent, AutomationBlockerTypes
from .connector import Connector
from .document import Document
from .document_relation import DocumentRelation, DocumentRelationType
from .email import Email, EmailLabel, EmailType
from .email_template import EmailTemplate, EmailTemplateType
from .engine import Engine, EngineField, EngineFieldType, EngineType
from .group import Group
from .hook import Hook, HookEventAndAction, HookExtensionSource, HookRunData, HookType
from .hook_template import HookTemplate
from .inbox import Inbox
from .organization import Organization
from .organization_group import OrganizationGroup
from .organization_limit import EmailLimits, OrganizationLimit
from .queue import Queue
from .relation import Relation, RelationType
from .rule import (
    AddAutomationBlockerPayload,
    AddValidationSourcePayload,
    ChangeQueuePayload,
    ChangeStatusPayload,
    LabelsPayload,
    Rule,
    RuleAction,
    RuleActionEvent,
    RuleActionPayload,
    RuleActionType,
    SchemaIdsPayload,
    SendEmailPayload,
    ShowMessagePayload,
)
from .rules_execution_log import ExecutionResult, RulesExecutionLog
from .schema import (
    Datapoint,
    Matching,
    MatchingConfiguration,
    MatchingQuery,
    MatchingVariable,
    Multivalue,
    Schema,
    Section,
    Tuple,
    ValueSource,
)
from .task import Task, TaskStatus, TaskType
from .upload import Upload
from .user import User
from .workspace import Workspace

Deserializer = Callable[[Resource, JsonDict], Any]
"""``deserializer(resource, payload)``: turns one JSON object into whatever the client methods should return."""

RESOURCE_TO_MODEL: dict[Resource, type[RossumModel]] = {
    Resource.Annotation: Annotation,
    Resource.AnnotationProcessingDuration: AnnotationProcessingDuration,
    Resource.AutomationStats: AutomationStats,
    Resource.AutomationProjections: AutomationProjections,
    Resource.AutomationTarget: AutomationTarget,
    Resource.Connector: Connector,
    Resource.Document: Document,
    Resource.DocumentRelation: DocumentRelation,
    Resource.Email: Email,
    Resource.EmailTemplate: EmailTemplate,
    Resource.Engine: Engine,
    Resource.EngineField: EngineField,
    Resource.Group: Group,
    Resource.Hook: Hook,
    Resource.HookRunData: HookRunData,
    Resource.HookTemplate: HookTemplate,
    Resource.Inbox: Inbox,
    Resource.Organization: Organization,
    Resource.OrganizationGroup: OrganizationGroup,
    Resource.OrganizationLimit: OrganizationLimit,
    Resource.Queue: Queue,
    Resource.Relation: Relation,
    Resource.Rule: Rule,
    Resource.RulesExecutionLog: RulesExecutionLog,
    Resource.Schema: Schema,
    Resource.Task: Task,
    Resource.Upload: Upload,
    Resource.User: User,
    Resource.Workspace: Workspace,
}


def deserialize_default(resource: Resource, payload: JsonDict) -> Any:
    """The model of ``resource`` validated from ``payload`` (raises ``pydantic.ValidationError`` on a payload
    that lacks a required field). Resources without a model (``Resource.Auth``) return the payload unchanged."""
    model = RESOURCE_TO_MODEL.get(resource)
    if model is None:
        return payload
    return model.model_validate(payload)


__all__ = [
    "RESOURCE_TO_MODEL",
    "AddAutomationBlockerPayload",
    "AddValidationSourcePayload",
    "Annotation",
    "AnnotationProcessingDuration",
    "AutomationBlocker",
    "AutomationBlockerContent",
    "AutomationBlockerTypes",
    "AutomationProjections",
    "AutomationSetupExcludeBlocker",
    "AutomationStats",
    "AutomationTarget",
    "AutomationTargetType",
    "ChangeQueuePayload",
    "ChangeStatusPayload",
    "Connector",
    "DailyEstimatedErrorRate",
    "Datapoint",
    "DatapointAutomationTarget",
    "DatapointStatistics",
    "Deserializer",
    "Document",
    "DocumentAutomationTimeSeriesData",
    "DocumentBlocker",
    "DocumentBlockerGranularity",
    "DocumentRelation",
    "DocumentRelationType",
    "Email",
    "EmailLabel",
    "EmailLimits",
    "EmailTemplate",
    "EmailTemplateType",
    "EmailType",
    "Engine",
    "EngineField",
    "EngineFieldType",
    "EngineType",
    "ExecutionResult",
    "FieldErrorRateLimit",
    "Group",
    "Hook",
    "HookEventAndAction",
    "HookExtensionSource",
    "HookRunData",
    "HookTemplate",
    "HookType",
    "Inbox",
    "JsonDict",
    "LabelsPayload",
    "Matching",
    "MatchingConfiguration",
    "MatchingQuery",
    "MatchingVariable",
    "Multivalue",
    "Organization",
    "OrganizationGroup",
    "OrganizationLimit",
    "Prediction",
    "Queue",
    "Relation",
    "RelationType",
    "RossumModel",
    "Rule",
    "RuleAction",
    "RuleActionEvent",
    "RuleActionPayload",
    "RuleActionType",
    "RulesExecutionLog",
    "Schema",
    "SchemaIdsPayload",
    "Section",
    "SendEmailPayload",
    "ShowMessagePayload",
    "Task",
    "TaskStatus",
    "TaskType",
    "Tuple",
    "Upload",
    "User",
    "ValueSource",
    "Workspace",
    "deserialize_default",
]
