"""Benchmarks of rossum-iac (``python -m bench`` runs them all; each script also runs alone)."""
