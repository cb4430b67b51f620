from web.supervisor.views import bp  # noqa: F401
