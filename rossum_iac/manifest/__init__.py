"""Manifests: loading YAML, includes, variables and environments, validation, references. No network access."""
