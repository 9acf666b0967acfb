"""Organization limits (``GET organizations/{id}/limits``)."""

from __future__ import annotations

from ._base import RossumModel


class EmailLimits(RossumModel):
    count_today: int
    count_today_notification: int
    count_total: int
    email_per_day_limit: int
    email_per_day_limit_notification: int
    email_total_limit: int | None = None
    last_sent_at: str | None = None
    last_sent_at_notification: str | None = None


class OrganizationLimit(RossumModel):
    email_limits: EmailLimits
