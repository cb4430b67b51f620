"""The knowledge base in the app: reading and searching articles, proposals by units, the office's decisions."""
from web.knowledge.views import bp  # noqa: F401
