"""Pure, I/O-free logic shared by the async and the generated sync transport (URLs, params, retry policy)."""
