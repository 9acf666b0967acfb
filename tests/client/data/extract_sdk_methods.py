"""Extract the public SDK's client methods into ``sdk_methods.json`` (run once; the JSON is checked in).

Sources (read-only, outside this repository):
* ``../shared/reference/rossum-sdk-clients.txt`` - the SDK's rendered client documentation
  (``- async name(params)[source]`` lines, async class first, then the sync class);
* ``../shared/docs/sdk-conformance.md`` section 1.2 - the method table of rossum-api 3.17.0 with typed
  signatures, including methods the rendered documentation omits.

Every method of either source is recorded with its parameters (name, kind, default as source text) from the
typed table, and where the documentation lists it too the script checks both agree (same names and defaults;
the table may add keyword-only parameters). Usage: ``python tests/client/data/extract_sdk_methods.py [SHARED]``.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC_LINE = re.compile(r"^- (async )?([a-z_]+)\((.*)\)\[source\]$")
KIND = {
    "posonlyargs": "POSITIONAL_ONLY",
    "args": "POSITIONAL_OR_KEYWORD",
    "vararg": "VAR_POSITIONAL",
    "kwonlyargs": "KEYWORD_ONLY",
    "kwarg": "VAR_KEYWORD",
}


def parse_signature(params: str) -> list[dict[str, object]]:
    func = ast.parse(f"def f({params}): pass").body[0]
    assert isinstance(func, ast.FunctionDef)
    a = func.args
    out: list[dict[str, object]] = []
    positional = a.posonlyargs + a.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    for arg, default in zip(positional, defaults, strict=True):
        kind = "POSITIONAL_ONLY" if arg in a.posonlyargs else "POSITIONAL_OR_KEYWORD"
        out.append(_param(arg.arg, kind, default))
    if a.vararg:
        out.append(_param(a.vararg.arg, "VAR_POSITIONAL", None))
    for arg, default in zip(a.kwonlyargs, a.kw_defaults, strict=True):
        out.append(_param(arg.arg, "KEYWORD_ONLY", default))
    if a.kwarg:
        out.append(_param(a.kwarg.arg, "VAR_KEYWORD", None))
    return out


def _param(name: str, kind: str, default: ast.expr | None) -> dict[str, object]:
    return {"name": name, "kind": kind, "default": None if default is None else ast.unparse(default)}


def doc_methods(text: str) -> dict[str, dict[str, object]]:
    """``{name: {"async": {...}, "sync": {...}}}`` from the rendered docs; the sync class starts at its header."""
    flavour = "async"
    found: dict[str, dict[str, object]] = {}
    for line in text.splitlines():
        if "class rossum_api.clients.external_sync_client.SyncRossumAPIClient" in line:
            flavour = "sync"
        match = DOC_LINE.match(line.strip())
        if match:
            is_async, name, params = match.groups()
            found.setdefault(name, {})[flavour] = {"params": parse_signature(params), "async_def": bool(is_async)}
    return found


def _cells(row: str) -> list[str]:
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", row.strip().strip("|"))]


def table_methods(text: str) -> dict[str, dict[str, object]]:
    section = text.split("### 1.2 Method table", 1)[1].split("### 1.3", 1)[0]
    found: dict[str, dict[str, object]] = {}
    for row in section.splitlines():
        if not re.match(r"^\| \d+ \|", row):
            continue
        cells = _cells(row)
        name = cells[1].strip("`")
        lines, signature, returns = cells[2], cells[3].strip("`"), cells[4].strip("`")
        async_line, sync_line = (part.strip() for part in lines.split("/"))
        found[name] = {
            "params": parse_signature(signature[1:-1]),
            "returns": returns,
            "iterator": returns.startswith("AsyncIterator"),
            "sdk_flavours": [f for f, line in (("async", async_line), ("sync", sync_line)) if line != "—"],
        }
    return found


def merge(docs: dict[str, dict[str, object]], table: dict[str, dict[str, object]]) -> list[dict[str, object]]:
    missing = sorted(set(docs) - set(table))
    assert not missing, f"documented but not in the conformance table: {missing}"
    methods = []
    for name, entry in table.items():
        params = entry["params"]
        assert isinstance(params, list)
        for flavour, doc in docs.get(name, {}).items():
            assert isinstance(doc, dict)
            doc_params = [p for p in doc["params"] if p["kind"] != "KEYWORD_ONLY"]
            table_params = [p for p in params if p["kind"] != "KEYWORD_ONLY"]
            assert doc_params == table_params, (name, flavour, doc_params, table_params)
        methods.append(
            {
                "name": name,
                "params": params,
                "returns": entry["returns"],
                "iterator": entry["iterator"],
                "sdk_flavours": entry["sdk_flavours"],
                "documented_in": sorted(docs.get(name, {})),
            }
        )
    return methods


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[2].parent / "shared"
    docs = doc_methods((shared / "reference/rossum-sdk-clients.txt").read_text(encoding="utf-8"))
    table = table_methods((shared / "docs/sdk-conformance.md").read_text(encoding="utf-8"))
    methods = merge(docs, table)
    out = {
        "sdk": "rossum-api 3.17.0",
        "sources": ["shared/reference/rossum-sdk-clients.txt", "shared/docs/sdk-conformance.md section 1.2"],
        "methods": methods,
    }
    (HERE / "sdk_methods.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"{len(methods)} methods ({sum(1 for m in methods if m['documented_in'])} in the rendered docs)")


if __name__ == "__main__":
    main()
