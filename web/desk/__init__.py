from web.desk.views import bp  # noqa: F401
from web.desk import assist  # noqa: F401,E402  (its routes join the desk blueprint)
