"""``Resource``: the key a deserializer receives with every payload (same member names and values as the SDK).

Values are the API's URL segments, except the few that are only deserializer keys (``automation/insights``,
``annotations/processing_duration``, ``organizations/limits``): the client never builds URLs from this enum.
``OrganizationLimit`` is new (the SDK bypasses the deserializer for organization limits, K24).
"""

from __future__ import annotations

from enum import Enum


class Resource(Enum):
    Annotation = "annotations"
    AnnotationProcessingDuration = "annotations/processing_duration"
    AutomationStats = "automation/insights"
    AutomationProjections = "automation/projections"
    AutomationTarget = "automation/targets"
    Auth = "auth"
    Connector = "connectors"
    Document = "documents"
    DocumentRelation = "document_relations"
    EmailTemplate = "email_templates"
    Engine = "engines"
    EngineField = "engine_fields"
    Group = "groups"
    Hook = "hooks"
    HookRunData = "hooks/logs"
    HookTemplate = "hook_templates"
    Inbox = "inboxes"
    Email = "emails"
    Organization = "organizations"
    OrganizationGroup = "organization_groups"
    OrganizationLimit = "organizations/limits"
    Queue = "queues"
    Relation = "relations"
    Rule = "rules"
    RulesExecutionLog = "rules_execution_logs"
    Schema = "schemas"
    Task = "tasks"
    Upload = "uploads"
    User = "users"
    Workspace = "workspaces"
