"""Which failures are outages of what the service stands on (the database, the disk) rather than bugs.

They are answered differently: an outage is temporary and says what happened (503, try again later); a bug is a
500. Kept free of Flask so the worker and the command line classify them the same way.
"""
from __future__ import annotations

import errno

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

DATABASE = "database"
DISK = "disk"
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO})


def outage_of(err: BaseException) -> str | None:
    """``DATABASE`` if ``err`` says the database cannot be reached or used, ``DISK`` if the disk is full or failing,
    else None."""
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, (OperationalError, InterfaceError)) or (
                isinstance(err, DBAPIError) and err.connection_invalidated):
            return DATABASE
        if isinstance(err, OSError) and err.errno in DISK_ERRNOS:
            return DISK
        err = err.__cause__ or err.__context__
    return None
