"""Importing this package registers every resource module's routes (one import line per module)."""

from rossum_iac.emulator.resources import auth as auth
from rossum_iac.emulator.resources import connectors as connectors
from rossum_iac.emulator.resources import email_templates as email_templates
from rossum_iac.emulator.resources import engines as engines
from rossum_iac.emulator.resources import groups as groups
from rossum_iac.emulator.resources import hooks as hooks
from rossum_iac.emulator.resources import inboxes as inboxes
from rossum_iac.emulator.resources import labels as labels
from rossum_iac.emulator.resources import organizations as organizations
from rossum_iac.emulator.resources import queues as queues
from rossum_iac.emulator.resources import rules as rules
from rossum_iac.emulator.resources import schemas as schemas
from rossum_iac.emulator.resources import users as users
from rossum_iac.emulator.resources import workspaces as workspaces

# --- documents engineer: add your resource modules below this line ---
from rossum_iac.emulator.resources import documents as documents
from rossum_iac.emulator.resources import annotations as annotations
from rossum_iac.emulator.resources import annotation_content as annotation_content
from rossum_iac.emulator.resources import uploads as uploads
from rossum_iac.emulator.resources import tasks as tasks
from rossum_iac.emulator.resources import relations as relations
from rossum_iac.emulator.resources import document_relations as document_relations
from rossum_iac.emulator.resources import exports as exports
from rossum_iac.emulator.resources import annotation_search as annotation_search
from rossum_iac.emulator.resources import emails as emails
from rossum_iac.emulator.resources import automation as automation
from rossum_iac.emulator.resources import hook_logs as hook_logs
from rossum_iac.emulator.resources import rules_execution_logs as rules_execution_logs
