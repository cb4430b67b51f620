from web.unit.views import bp  # noqa: F401
