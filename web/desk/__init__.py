from web.desk.views import bp  # noqa: F401
