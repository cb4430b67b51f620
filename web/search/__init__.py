from web.search.views import bp  # noqa: F401
