"""A real Dovecot IMAP server for tests and benchmarks.

It runs from its own configuration in a temporary folder, listens on 127.0.0.1 on a free port (plain, with
STARTTLS) and on another with implicit TLS (a throwaway self-signed certificate, ``ca_file``), allows plaintext
login on loopback, keeps users in a passwd-file and mail as maildir under the same folder. Dovecot refuses to
deliver mail as root, so when we are root the mail files belong to an unprivileged system user.

Use the ``dovecot`` session fixture in tests (``from tests.servers.dovecot import dovecot  # noqa: F401``) or the
``DovecotServer`` class directly (the benchmark does).
"""
from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.servers.tls import make_certificate

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
# Unprivileged users the Debian package creates; the first that exists owns the mail when we are root.
MAIL_USERS = ("dovenull", "dovecot", "nobody")

CONFIG = """\
# Generated for tests: nothing here is read from the system configuration.
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{base}/tls/server.crt
ssl_key = <{base}/tls/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{base}/mail/%u
mail_uid = {user}
mail_gid = {group}
imap_max_line_length = 256k
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={base}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service stats {{
  inet_listener http {{
    port = 0
  }}
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mail_user() -> tuple[str, int, int]:
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return me.pw_name, me.pw_uid, me.pw_gid
    for name in MAIL_USERS:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return name, entry.pw_uid, entry.pw_gid
    raise RuntimeError("no unprivileged user to own the test mail (tried %s)" % ", ".join(MAIL_USERS))


@dataclass
class DovecotServer:
    """One running Dovecot; ``start()`` and ``stop()`` it, or use it as a context manager."""

    base: Path
    port: int = 0
    tls_port: int = 0
    user: str = "mayor"
    password: str = "secret-pass"
    process: subprocess.Popen | None = None

    @classmethod
    def create(cls, base: Path | None = None) -> "DovecotServer":
        """A server configured in ``base`` (a new temporary folder by default), not yet started."""
        base = Path(base or tempfile.mkdtemp(prefix="dovecot-"))
        return cls(base=base, port=free_port(), tls_port=free_port())

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def ca_file(self) -> Path:
        """The server's self-signed certificate: the CA file a TLS client must trust."""
        return self.base / "tls" / "server.crt"

    def start(self, timeout: float = 20.0) -> "DovecotServer":
        name, uid, gid = _mail_user()
        group = grp.getgrgid(gid).gr_name
        for sub in ("run", "state", "mail", "home"):
            (self.base / sub).mkdir(parents=True, exist_ok=True)
        make_certificate(self.base / "tls")
        (self.base / "dovecot.conf").write_text(
            CONFIG.format(base=self.base, port=self.port, tls_port=self.tls_port, user=name, group=group)
        )
        (self.base / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        for path in [self.base, *self.base.rglob("*")]:
            os.chown(path, uid, gid)
        # The temp folder's parent must be traversable by the unprivileged mail user.
        os.chmod(self.base, 0o755)
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.base / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise RuntimeError(f"dovecot exited: {err}\n{self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)  # bounded readiness poll, not a timing assumption
        self.stop()
        raise RuntimeError(f"dovecot did not start within {timeout}s\n{self.log()}")

    def log(self) -> str:
        path = self.base / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process and self.process.stderr:
            self.process.stderr.close()
        self.process = None
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> "DovecotServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- helpers for tests -------------------------------------------------------------------------------------

    def client(self) -> IMAPClient:
        """A logged-in imapclient connection (plaintext, loopback)."""
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=30)
        client.login(self.user, self.password)
        return client

    def new_folder(self, prefix: str = "t") -> str:
        """Create a folder with a unique name and return it (tests use one each, so they never interfere)."""
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        with self.client() as client:
            client.create_folder(name)
        return name

    def append(self, folder: str, messages: Iterable[bytes], flags: tuple = ()) -> list[int]:
        """APPEND raw messages into ``folder``; returns their UIDs (from APPENDUID)."""
        uids: list[int] = []
        with self.client() as client:
            for raw in messages:
                response = client.append(folder, raw, flags=flags)
                uids.append(_appenduid(response))
        return uids

    def multiappend(self, folder: str, messages: list[bytes]) -> None:
        """APPEND many messages in one command (fast loading for benchmarks)."""
        with self.client() as client:
            client.multiappend(folder, messages)

    def recreate_folder(self, folder: str, messages: Iterable[bytes]) -> None:
        """Delete and recreate ``folder`` with ``messages``: the server gives it a new UIDVALIDITY."""
        with self.client() as client:
            client.delete_folder(folder)
            client.create_folder(folder)
        self.append(folder, messages)

    def uids(self, folder: str) -> list[int]:
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            return sorted(client.search("ALL"))

    def flags(self, folder: str) -> dict[int, tuple]:
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            uids = client.search("ALL")
            return {uid: data[b"FLAGS"] for uid, data in client.fetch(uids, ["FLAGS"]).items()}


def _appenduid(response: bytes) -> int:
    # b"[APPENDUID 1700000000 7] Append completed."
    text = response.decode() if isinstance(response, bytes) else str(response)
    try:
        return int(text.split("APPENDUID", 1)[1].split()[1].rstrip("]"))
    except (IndexError, ValueError):
        return 0


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """A Dovecot IMAP server for the whole test session."""
    server = DovecotServer.create().start()
    try:
        yield server
    finally:
        server.stop()
