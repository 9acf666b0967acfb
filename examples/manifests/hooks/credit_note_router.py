"""Flags credit notes that arrive in an invoice queue and names the queue they belong in.

settings.credit_note_queue_id is the ID of the credit-notes queue in the current environment.
"""


def _value(content, schema_id):
    for node in content:
        if node.get("schema_id") == schema_id and "content" in node:
            return node["content"].get("value")
        children = node.get("children")
        if children:
            found = _value(children, schema_id)
            if found is not None:
                return found
    return None


def rossum_hook_request_handler(payload):
    settings = payload.get("settings", {})
    content = payload["annotation"]["content"]
    field = settings.get("document_type_field", "document_type")
    if _value(content, field) != "credit_note":
        return {"messages": [], "operations": []}
    target = settings["credit_note_queue_id"]
    return {
        "messages": [
            {
                "type": "warning",
                "content": f"This is a credit note: move it to the credit-notes queue (ID {target}).",
            }
        ],
        "operations": [],
    }
