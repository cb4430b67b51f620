"""Work across units on the case page: passing a case down to a sub-unit and back up, co-handling parts."""
from web.levels.views import bp  # noqa: F401
