"""The object examples in docs/manifests.md are valid manifests."""

from __future__ import annotations

import re
from pathlib import Path

from rossum_iac.kinds import KIND_NAMES

from .helpers import errors_in, write_tree

DOC = Path(__file__).resolve().parents[2] / "docs" / "manifests.md"


def test_kind_examples_in_the_docs_validate(tmp_path: Path) -> None:
    text = DOC.read_text()
    section = text[text.index("## The kinds") : text.index("## Validation")]
    blocks = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)
    documents = [block for block in blocks if block.startswith("kind:")]
    assert len(documents) >= 8
    files = {f"doc-{index}.yaml": block for index, block in enumerate(documents)}
    files["stubs.yaml"] = "".join(
        f"---\nkind: Queue\nkey: {key}\nname: {key}\nworkspace: accounts-payable\nschema: invoice\n"
        for key in ("invoices-us", "credit-notes")
    )
    files["credit_note_router.py"] = "def rossum_hook_request_handler(payload):\n    return {}\n"
    files["supplier-query.html"] = "<p>Hello</p>\n"
    files["rossum.yaml"] = (
        "stack: docs\nvariables: {automation_level: never, high_amount_threshold: 5, "
        "ap_clerk_username: clerk@example.com}\n"
    )
    environ = {"AP_WEBHOOK_SECRET": "x", "ERP_CONNECTOR_TOKEN": "y"}
    root = write_tree(tmp_path, files)
    kinds = {re.match(r"kind: (\w+)", doc).group(1) for doc in documents}  # type: ignore[union-attr]
    assert kinds == set(KIND_NAMES) - {"DedicatedEngine"}  # a dedicated engine is in the Engine example
    assert "kind: DedicatedEngine" in section
    assert errors_in(root, environ=environ) == []
