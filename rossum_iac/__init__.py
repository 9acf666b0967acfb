"""rossum-iac: configuration-as-code for the Rossum document-AI platform."""

__version__ = "0.1.0"
