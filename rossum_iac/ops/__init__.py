"""Document operations behind the imperative commands (upload, export, annotation actions, queue lookup).

Importable without a terminal: nothing here prints or reads ``sys.stdin``; progress is reported through
callbacks. Input checks (``inputs``) run before any request, so bad input never reaches the API.
"""
