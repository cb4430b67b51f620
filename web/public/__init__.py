from web.public.views import bp  # noqa: F401
