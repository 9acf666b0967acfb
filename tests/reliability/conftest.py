"""The reliability suites run with the QA guard: any HTTP request from this process to a host other than loopback
fails the test (the CLI processes they start get loopback base URLs only)."""

from tests.qa.conftest import loopback_only  # noqa: F401  (an autouse fixture, re-exported)
