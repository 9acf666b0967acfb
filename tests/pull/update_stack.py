"""A hand-written stack for the ``pull --update`` tests: every kind, with comments, ``${var...}``, ``${env...}``,
``${ref...}`` placeholders, a multi-document file and ``{file: ...}`` includes (schema content as YAML with a
formula file, hook code, an email body, a rule condition)."""

from __future__ import annotations

WEBHOOK_SECRET = "upd-whsec-5d1c8e"
CONNECTOR_TOKEN = "upd-conn-token-91f2"
ERP_USER = "erp-user-3b7a"
SECRETS = {"UPD_WEBHOOK_SECRET": WEBHOOK_SECRET, "UPD_CONNECTOR_TOKEN": CONNECTOR_TOKEN, "UPD_ERP_USER": ERP_USER}

STACK = {
    "rossum.yaml": """
        # Stack of the update tests
        stack: upd
        variables:
          automation: confident   # the default automation
          threshold: 1000
          notify_url: https://hooks.example.com/erp
          account: acct-${env.UPD_ERP_USER}   # a variable that uses a secret
          total_label: Total
        environments:
          dev:
            variables:
              automation: never
        """,
    "workspaces.yaml": """
        # Both workspaces of the stack
        kind: Workspace
        key: ap
        name: Accounts Payable   # as shown in the UI
        metadata:
          team: finance
          cost_center: 42
        ---
        # Where documents go when done
        kind: Workspace
        key: archive
        name: Archive
        """,
    "schemas/invoice.yaml": """
        kind: Schema
        key: invoice
        name: Invoice  # the only schema
        content: {file: invoice.content.yaml}
        """,
    "schemas/invoice.content.yaml": """
        # Sections of Schema/invoice
        - category: section
          id: basics
          label: Basics
          children:
            # the number printed on the invoice
            - {category: datapoint, id: invoice_id, label: Invoice number, type: string}
            - category: datapoint
              id: amount_total
              label: ${var.total_label}   # with tax
              type: number
            - {category: datapoint, id: currency, label: Currency, type: string}
            - category: datapoint
              id: amount_due
              label: Amount due
              type: number
              formula: {file: formulas/amount_due.py}
        """,
    "schemas/formulas/amount_due.py": """
        # what is left to pay
        field.amount_total - 0
        """,
    "connectors.yaml": """
        kind: Connector
        key: erp
        name: ERP   # the export target
        service_url: https://erp.example.com/rossum
        authorization_token: ${env.UPD_CONNECTOR_TOKEN}
        asynchronous: true
        """,
    "queues.yaml": """
        # Queues
        kind: Queue
        key: invoices
        name: Invoices
        workspace: ap
        schema: invoice
        connector: erp
        automation_level: ${var.automation}   # per environment
        default_score_threshold: 0.8
        session_timeout: "01:00:00"
        settings:
          # what the UI lists
          columns: [{schema_id: invoice_id}]
          accepted_mime_types: [application/pdf]
        metadata:
          owner: ap-team
        ---
        kind: Queue
        key: archive
        name: Archive queue
        workspace: archive
        schema: invoice
        """,
    "inboxes/invoices.yaml": """
        kind: Inbox
        key: invoices
        name: Invoices mailbox   # not shown to suppliers
        queues: [invoices]
        email_prefix: upd-invoices
        filters:
          allowed_senders: ["*@suppliers.example.com"]
        """,
    "hooks/hooks.yaml": """
        # A function hook; its code is in router.py
        kind: Hook
        key: router
        name: Router
        type: function
        queues: [invoices]
        events: [annotation_content.initialize]   # when documents arrive
        config:
          runtime: python3.12
          code: {file: router.py}
        settings:
          archive_queue_id: ${ref.Queue.archive.id}
          mode: strict
        ---
        kind: Hook
        key: notify
        name: Notify ERP
        type: webhook
        queues: [invoices]
        events: [annotation_status.changed]
        config:
          url: ${var.notify_url}
          secret: ${env.UPD_WEBHOOK_SECRET}
          timeout_s: 10
        settings:
          erp_user: ${env.UPD_ERP_USER}
          account: ${var.account}
        """,
    "hooks/router.py": """
        # Routes documents to the archive
        ARCHIVE_QUEUE_ID = ${ref.Queue.archive.id}
        TEMPLATE = "$${not_a_placeholder}"


        def rossum_hook_request_handler(payload):
            return {"messages": []}
        """,
    "email-templates/query.yaml": """
        kind: EmailTemplate
        key: query
        name: Ask supplier
        queue: invoices
        type: custom
        subject: "About {{ parent_email_subject }}"   # shown in the UI
        message: {file: query.html}
        to: [{email: "{{sender_email}}"}]
        """,
    "email-templates/query.html": """
        <p>Dear {{ sender_name }},</p>
        <p>please send a corrected invoice.</p>
        """,
    "rules/high-amount.yaml": """
        # Warn about high totals
        kind: Rule
        key: high-amount
        name: High amount
        queues: [invoices]
        trigger_condition: {file: high-amount.py}
        actions:
          - id: warn
            type: show_message
            event: validation
            payload: {type: warning, content: Above the threshold, schema_id: amount_total}
        """,
    "rules/high-amount.py": """
        field.amount_total > ${var.threshold}
        and field.currency == 'eur'
        """,
}
