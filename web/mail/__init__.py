"""The email channel in the app: settings, intake, the acknowledgement, sending, the command and the tasks."""
from web.mail.tasks import init_app

__all__ = ["init_app"]
