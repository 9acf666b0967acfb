"""Emulator settings and default credentials (kept apart so every module can import them)."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_USERNAME = "admin@example.com"
DEFAULT_PASSWORD = "admin"
DEFAULT_TOKEN = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
"""The emulator's own fixed development token (40 hex digits); it never expires and always works."""

FAULT_KINDS = ("429", "500", "502", "503", "drop")


@dataclass
class EmulatorSettings:
    """Runtime knobs; change them on a running server (``handle.settings.fault_rate = 0.2``).

    - ``latency_ms``: added before every API response.
    - ``fault_rate``: probability (0..1) that an API request is answered by a fault instead of its handler,
      the kind drawn from ``fault_kinds`` by the seeded RNG: 429 (``Retry-After: 1``), 500, 502, 503, or
      ``drop`` (connection closed without a response).
    - ``rate_limit``: requests per second (all API requests, sliding 1 s window) above which 429 is answered.
    - ``import_delay_s``: how long document imports stay ``importing`` (used by the documents side).
    """

    latency_ms: float = 0.0
    fault_rate: float = 0.0
    rate_limit: int | None = None
    import_delay_s: float = 0.2
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    request_log_limit: int = 200_000
    extra: dict[str, object] = field(default_factory=dict)
