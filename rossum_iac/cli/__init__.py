"""The ``rossum-iac`` command line. Commands stay thin: parse, call the engine or the client, map to exit codes."""
