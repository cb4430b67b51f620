"""Example gunicorn settings for Mayor's Mailbox behind nginx (see mayors-mailbox-web.service).

Copy it to /etc/mayors-mailbox/ and point --config there to change it without touching the checkout.
Every value can also be set with GUNICORN_CMD_ARGS.
"""

import multiprocessing

# nginx (same machine) is the only client; it terminates TLS and buffers slow uploads.
bind = "127.0.0.1:8000"
backlog = 512

# Threads cover requests waiting on the database; processes cover CPU (templates, form parsing).
# Heavy work (OCR, indexing, sending mail) runs in the background worker, not here.
# Measured with bench/load.py on 2 cores: gthread with 2-3 processes x 4 threads served the most letters per
# second; sync workers (no keep-alive, a new connection per request) cost more CPU per letter and served fewer.
# Without Redis the rate limits are counted per process, so fewer processes also keep them tighter.
worker_class = "gthread"
workers = min(multiprocessing.cpu_count() + 1, 9)
threads = 4

# A request that takes longer is stuck: kill the worker. Keep in step with nginx's proxy_read_timeout.
timeout = 60
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then, so a slow leak never grows unbounded; jitter avoids restarting all at once.
max_requests = 2000
max_requests_jitter = 200

# Trust X-Forwarded-Proto only from nginx on loopback, so the app builds https:// links and secure cookies work.
forwarded_allow_ips = "127.0.0.1,::1"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# Logs to stdout/stderr: journald keeps them (`journalctl -u mayors-mailbox-web`).
accesslog = "-"
errorlog = "-"
loglevel = "info"
# The client address nginx saw, not 127.0.0.1.
access_log_format = '%({x-real-ip}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s"'

# The control socket for `gunicornc` goes in the unit's RuntimeDirectory (the service user has no home).
control_socket = "/run/mayors-mailbox/gunicorn.ctl"

proc_name = "mayors-mailbox-web"
