"""Each emulator DB is its own organization (distinct id and name); a DB file keeps its organization."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from rossum_iac.emulator import create_server
from rossum_iac.emulator.seed import ORG_ID_RANGE
from tests.emulator.helpers import id_of


def _org(emu: Any) -> dict[str, Any]:
    with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.token}"}, timeout=10) as api:
        user = api.get("/auth/user").json()
        org = api.get(user["organization"]).json()
        listed = api.get("/organizations").json()["results"]
        ws = api.post("/workspaces", json={"name": "w"}).json()
    assert [o["id"] for o in listed] == [org["id"]]
    assert ws["organization"] == org["url"]
    assert id_of(user["organization"]) == emu.organization_id
    return org


def test_two_new_databases_are_two_organizations(emulator_factory):
    first, second = _org(emulator_factory()), _org(emulator_factory())
    assert first["id"] != second["id"]
    assert first["name"] != second["name"]
    for org in (first, second):
        assert ORG_ID_RANGE[0] <= org["id"] < ORG_ID_RANGE[1]
        assert re.fullmatch(r"Emulator organization [0-9a-f]+", org["name"])
        assert org["name"] == f"Emulator organization {org['id']:x}"


def test_a_database_file_keeps_its_organization(emulator_factory, tmp_path):
    db = tmp_path / "keep.db"
    emu = emulator_factory(db=db)
    before = _org(emu)
    emu.stop()
    after = _org(emulator_factory(db=db))
    assert (after["id"], after["name"]) == (before["id"], before["name"])


def test_explicit_organization_for_a_new_database(emulator_factory):
    emu = emulator_factory(organization_id=4242, organization_name="Fixed org")
    org = _org(emu)
    assert (org["id"], org["name"], emu.organization_id) == (4242, "Fixed org", 4242)
    assert org["url"].endswith("/organizations/4242")


def test_explicit_organization_against_an_existing_file(emulator_factory, tmp_path):
    db = tmp_path / "existing.db"
    emulator_factory(db=db, organization_id=777).stop()
    with pytest.raises(ValueError, match="already has organization 777"):
        create_server(db, organization_id=778)
    emu = emulator_factory(db=db, organization_id=777, organization_name="Renamed")
    assert _org(emu)["name"] == "Renamed"


@pytest.mark.parametrize("bad", [0, -1, 2**63, True])
def test_invalid_organization_id_is_refused(bad):
    with pytest.raises(ValueError, match="organization_id"):
        create_server(organization_id=bad)


def test_blank_organization_name_is_refused():
    with pytest.raises(ValueError, match="organization_name"):
        create_server(organization_name="  ")
