"""A throwaway Kannel SMS gateway for tests: bearerbox and smsbox on free loopback ports in a temporary folder,
with Kannel's fake SMS centre (``fakesmsc``) connected as the citizens' handsets: one fakesmsc types what citizens
send (on its own SMS-centre connection), another receives what the gateway delivers.

``running_kannel(inbound_url)`` starts it as a context manager (benchmarks use it too). Citizens send with
``gateway.handset_send(number, text)``; what the gateway delivered to the SMS centre is read back from
bearerbox's access log with ``gateway.delivered()``. ``gateway.restart()`` stops and starts both boxes.
"""
from __future__ import annotations

import re
import socket
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.servers.freeport import (
    LOOPBACK,
    ServerStartError,
    free_port,
    log_tail,
    start_process_group,
    stop_process_group,
    wait_until,
)

BEARERBOX, SMSBOX = "/usr/sbin/bearerbox", "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
USERNAME, PASSWORD, HOTLINE = "mailbox", "gateway-test-secret", "12345"
# Inbound messages as the app's SMS endpoint reads them (see deploy/kannel.conf).
INBOUND_QUERY = "id=%I&from=%p&to=%P&text=%a&coding=%c&time=%t"

CONFIG = """\
group = core
admin-port = {admin_port}
admin-password = {password}
admin-allow-ip = "127.0.0.1"
smsbox-port = {smsbox_port}
box-allow-ip = "127.0.0.1"
log-file = "{dir}/bearerbox.log"
log-level = 1
access-log = "{dir}/access.log"
dlr-storage = internal
store-type = file
store-location = "{dir}/kannel.store"

# The handsets: one fake SMS centre connection receives what we send, the other carries what citizens send
# (a fakesmsc that types messages reads none while it waits for the next line).
group = smsc
smsc = fake
smsc-id = fake
port = {smsc_port}
connect-allow-ip = "127.0.0.1"

group = smsc
smsc = fake
smsc-id = citizens
allowed-smsc-id = citizens
port = {mo_port}
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {smsbox_port}
sendsms-port = {sendsms_port}
sendsms-interface = 127.0.0.1
log-file = "{dir}/smsbox.log"
log-level = 1

group = sendsms-user
username = {username}
password = {password}
max-messages = 10
concatenation = true

group = sms-service
keyword = default
catch-all = true
max-messages = 0
get-url = "{inbound_url}{sep}{query}"
"""
_SENT = re.compile(r"Sent SMS \[SMSC:fake\].*?\[from:(?P<sender>[^\]]*)\] \[to:(?P<to>[^\]]*)\]"
                   r".*?\[msg:(?P<length>\d+):(?P<msg>.*?)\] \[udh:(?P<udhlen>\d+):(?P<udh>[^\]]*)\]")


@dataclass(frozen=True)
class Delivered:
    """One message segment the gateway handed to the SMS centre."""

    sender: str
    to: str
    text: str  # as Kannel logs it (UCS-2 segments as hex-free text where printable)
    udh: str  # hex; a concatenated message's segments carry one


@dataclass
class KannelGateway:
    workdir: Path
    sendsms_url: str
    username: str
    password: str
    hotline: str
    admin_port: int
    smsc_port: int
    mo_port: int
    config: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    handset: subprocess.Popen[bytes] | None = None
    receiver: subprocess.Popen[bytes] | None = None

    def handset_send(self, number: str, text: str) -> None:
        """A citizen's phone sends ``text`` to the hotline number (a mobile-originated message)."""
        assert self.handset is not None and self.handset.stdin is not None
        line = f"{number} {self.hotline} text {text}".replace("\n", " ")
        self.handset.stdin.write(line.encode() + b"\n")
        self.handset.stdin.flush()

    def delivered(self) -> list[Delivered]:
        """Every segment bearerbox sent to the SMS centre so far, oldest first."""
        try:
            text = (self.workdir / "access.log").read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        return [Delivered(m["sender"], m["to"], m["msg"], m["udh"]) for m in _SENT.finditer(text)]

    def start(self) -> None:
        for box, name in ((BEARERBOX, "bearerbox"), (SMSBOX, "smsbox")):
            with open(self.workdir / f"{name}.out", "ab") as log:
                self.procs.append(start_process_group([box, self.config], log=log, cwd=self.workdir))
            ready = (lambda: _http_up(f"http://{LOOPBACK}:{self.admin_port}/status")) if name == "bearerbox" \
                else (lambda: _http_up(self.sendsms_url))
            if not wait_until(ready, timeout=20, alive=lambda: self.procs[-1].poll() is None):
                self.stop()
                raise ServerStartError(f"Kannel {name} did not start:\n{log_tail(self.workdir / f'{name}.log')}")
        with open(self.workdir / "fakesmsc.out", "ab") as log:
            self.handset = subprocess.Popen(  # noqa: S603 - fixed argv
                [FAKESMSC, "-H", LOOPBACK, "-r", str(self.mo_port), "-i", "0.01", "-m", "1000000"],
                stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir,
                start_new_session=True)
        with open(self.workdir / "receiver.out", "ab") as log:
            self.receiver = subprocess.Popen(  # noqa: S603 - fixed argv
                [FAKESMSC, "-H", LOOPBACK, "-r", str(self.smsc_port), "-m", "0", "0 0 text unused"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir,
                start_new_session=True)
        if not wait_until(lambda: (self.workdir / "bearerbox.log").read_text(errors="replace").rpartition(
                "Kannel bearerbox II")[2].count("Fakesmsc client connected") >= 2, timeout=10):
            self.stop()
            raise ServerStartError(f"fakesmsc did not connect:\n{log_tail(self.workdir / 'fakesmsc.out')}")

    def stop(self) -> None:
        for attr in ("handset", "receiver"):
            proc = getattr(self, attr)
            if proc is not None:
                stop_process_group(proc, grace=5)
                setattr(self, attr, None)
        for proc in reversed(self.procs):
            stop_process_group(proc, grace=10)
        self.procs.clear()

    def restart(self) -> None:
        self.stop()
        port = int(self.sendsms_url.split(":")[2].split("/")[0])
        # The boxes bind their ports again: wait until the kernel lets them (smsbox does not reuse addresses).
        wait_until(lambda: _bindable(port) and _bindable(self.admin_port) and _bindable(self.smsc_port), timeout=90,
                   interval=0.2)
        self.start()


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def _http_up(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 - loopback URL built here
    except urllib.error.HTTPError:
        return True  # it answered
    return True


@contextmanager
def running_kannel(inbound_url: str) -> Iterator[KannelGateway]:
    """bearerbox + smsbox + a fakesmsc handset on loopback; MO messages are fetched from ``inbound_url``."""
    with tempfile.TemporaryDirectory(prefix="kannel-") as tmp:
        workdir = Path(tmp)
        ports = {name: free_port() for name in ("admin_port", "smsbox_port", "smsc_port", "mo_port", "sendsms_port")}
        config = workdir / "kannel.conf"
        config.write_text(CONFIG.format(dir=workdir, username=USERNAME, password=PASSWORD, inbound_url=inbound_url,
                                        sep="&" if "?" in inbound_url else "?", query=INBOUND_QUERY, **ports))
        gateway = KannelGateway(workdir, f"http://{LOOPBACK}:{ports['sendsms_port']}/cgi-bin/sendsms", USERNAME,
                                PASSWORD, HOTLINE, ports["admin_port"], ports["smsc_port"], ports["mo_port"], config)
        gateway.start()
        try:
            yield gateway
        finally:
            gateway.stop()
