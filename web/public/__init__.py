from web.public.views import bp  # noqa: F401
from web.public import survey  # noqa: F401,E402 - its routes join the public blueprint
