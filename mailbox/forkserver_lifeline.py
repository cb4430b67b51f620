"""Imported only by multiprocessing's forkserver (as a preload module of the parse pool): the forkserver dies with
the process that started it, and every worker it forks dies with the forkserver from its first instruction on,
before it has even read what to run (see ``mailbox.lifeline``). If the poller died before this ran, the forkserver
exits anyway: it then reads end of file on its "alive" pipe, as no worker holds it yet."""
import os

from mailbox.lifeline import die_with_parent

die_with_parent()
_FORKSERVER = os.getpid()
os.register_at_fork(after_in_child=lambda: die_with_parent(parent_pid=_FORKSERVER))
