"""Importing this package registers every resource module's routes (one import line per module)."""

from rossum_iac.emulator.resources import auth as auth
from rossum_iac.emulator.resources import groups as groups
from rossum_iac.emulator.resources import organizations as organizations
from rossum_iac.emulator.resources import users as users
from rossum_iac.emulator.resources import workspaces as workspaces

# --- documents engineer: add your resource modules below this line ---
