"""Releasing the apply lease when the organization's writes fail now and then: retried; when it cannot be released,
the error names the expiry and never replaces the error of a failed run; a lease written but never confirmed is
removed again."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import rossum_iac.engine.lease as lease_module
from rossum_iac.engine.lease import Lease, LeaseReleaseError, leases
from rossum_iac.engine.orgmeta import OrganizationMetadata


class Organization:
    """The organization endpoint: reads answer its metadata, PATCH replaces it. ``fail_patches`` counts down failed
    writes, ``fail_reads`` holds the numbers of the reads that fail (nothing is written by a failed request)."""

    def __init__(self) -> None:
        self.organization: dict[str, Any] = {"id": 7, "metadata": {"other": 1}}
        self.fail_patches = 0
        self.fail_reads: set[int] = set()
        self.reads = 0

    async def request_json(self, method: str, url: str, **kwargs: Any) -> Any:
        if method == "GET":
            self.reads += 1
            if self.reads in self.fail_reads:
                raise RuntimeError("HTTP 502 reading the organization")
            return copy.deepcopy(self.organization)
        if self.fail_patches:
            self.fail_patches -= 1
            raise RuntimeError("HTTP 500 writing the organization")
        self.organization["metadata"] = copy.deepcopy(kwargs["json"]["metadata"])
        return copy.deepcopy(self.organization)


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lease_module, "RELEASE_BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(lease_module, "MIN_SETTLE_SECONDS", 0.0)


def lease_for(api: Organization) -> Lease:
    return Lease(api, "s", OrganizationMetadata(api, api.organization), holder="me")  # type: ignore[arg-type]


async def test_release_is_retried_until_it_works() -> None:
    api = Organization()
    lease = lease_for(api)
    await lease.acquire()
    assert "s" in leases(api.organization["metadata"])
    api.fail_patches = 2  # fewer than the attempts
    await lease.release()
    assert leases(api.organization["metadata"]) == {} and api.organization["metadata"]["other"] == 1


async def test_a_lease_that_cannot_be_released_says_until_when_it_stays() -> None:
    api = Organization()
    lease = lease_for(api)
    await lease.acquire()
    api.fail_patches = 10
    with pytest.raises(LeaseReleaseError) as failure:
        await lease.release()
    message = str(failure.value)
    assert "could not be released" in message and "expires by" in message and "--force-unlock" in message
    assert "s" in leases(api.organization["metadata"])


async def test_a_failing_block_keeps_its_own_error_and_still_tries_to_release() -> None:
    api = Organization()
    with pytest.raises(ValueError, match="the run failed"):
        async with lease_for(api):
            api.fail_patches = 1  # the first release attempt fails, the second removes it
            raise ValueError("the run failed")
    assert leases(api.organization["metadata"]) == {}
    with pytest.raises(ValueError, match="the run failed"):  # never released: the run's error still wins
        async with lease_for(api):
            api.fail_patches = 10
            raise ValueError("the run failed")


async def test_a_lease_written_but_not_read_back_is_removed() -> None:
    api = Organization()
    api.fail_reads = {2}  # read 1 before the write works, read 2 (the check after the settle) fails
    with pytest.raises(RuntimeError, match="HTTP 502"):
        await lease_for(api).acquire()
    assert api.reads == 3 and leases(api.organization["metadata"]) == {}
