"""Imported only by multiprocessing's forkserver (as a preload module of the parse pool): the forkserver dies with
the process that started it (see ``mailbox.lifeline``). If that process died before this ran, the forkserver
exits anyway: it then reads end of file on its "alive" pipe, as no worker holds it yet."""
from mailbox.lifeline import die_with_parent

die_with_parent()
