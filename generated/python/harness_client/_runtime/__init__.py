"""Runtime support shared by every generated client (HTTP, retries, errors, events)."""
