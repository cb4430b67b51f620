from web.casepage.views import bp  # noqa: F401
