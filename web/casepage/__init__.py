from web.casepage.views import bp  # noqa: F401
from web.casepage import merge_undo, reply_preview  # noqa: F401,E402  (their routes join the blueprint)
