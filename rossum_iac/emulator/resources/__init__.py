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
