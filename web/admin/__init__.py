from web.admin import users  # noqa: F401 - the account pages, on the same blueprint
from web.admin.views import bp  # noqa: F401
