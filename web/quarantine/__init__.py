"""Quarantine for staff: items that could not become letters, their raw originals, and retrying them."""
from web.quarantine.views import bp  # noqa: F401
