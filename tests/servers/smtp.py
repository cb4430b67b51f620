"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, capturing every envelope it accepts.

It listens on three free ports sharing one capture: plain (``port``), plain with STARTTLS (``starttls_port``) and
implicit TLS (``tls_port``), the TLS ones with a throwaway self-signed certificate (``ca_file``). Each envelope
records whether its session was encrypted. Recipients at ``later.example`` get ``451`` (transient) and at
``refused.example`` get ``550`` (permanent).
Use the ``smtp_server`` fixture (``from tests.servers.smtp import smtp_server  # noqa: F401``).
"""
from __future__ import annotations

import asyncio
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.servers.dovecot import free_port
from tests.servers.tls import make_certificate


@dataclass
class Envelope:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool = False  # the session was encrypted (STARTTLS or implicit TLS)


@dataclass
class CaptureHandler:
    envelopes: list[Envelope] = field(default_factory=list)
    # Set ``release`` (an unset Event) to hold the next message's DATA until it is set; ``holding`` says it is held.
    release: threading.Event | None = None
    holding: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        domain = address.rpartition("@")[2].lower()
        if domain == "later.example":
            return "451 4.3.0 Try again later"
        if domain == "refused.example":
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        release = self.release
        if release is not None:
            self.release = None
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, release.wait, 60)
        self.envelopes.append(Envelope(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content),
                                       tls=_encrypted(server)))
        return "250 Message accepted"


def _encrypted(server) -> bool:
    # After STARTTLS and with implicit TLS alike the session's transport is the TLS one.
    transport = server.transport
    return transport is not None and transport.get_extra_info("ssl_object") is not None


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: CaptureHandler
    starttls_port: int = 0
    tls_port: int = 0
    ca_file: Path | None = None

    @property
    def envelopes(self) -> list[Envelope]:
        return self.handler.envelopes


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    """An aiosmtpd server capturing envelopes for the whole session (tests clear ``envelopes`` as they need)."""
    handler = CaptureHandler()
    with tempfile.TemporaryDirectory(prefix="smtp-tls-") as folder:
        certificate = make_certificate(Path(folder))
        ports = [free_port() for _ in range(3)]
        controllers = [
            Controller(handler, hostname="127.0.0.1", port=ports[0]),
            Controller(handler, hostname="127.0.0.1", port=ports[1], tls_context=certificate.server_context()),
            Controller(handler, hostname="127.0.0.1", port=ports[2], ssl_context=certificate.server_context()),
        ]
        started = []
        try:
            for controller in controllers:
                controller.start()
                started.append(controller)
            yield SmtpServer("127.0.0.1", ports[0], handler, starttls_port=ports[1], tls_port=ports[2],
                             ca_file=certificate.cert)
        finally:
            for controller in started:
                controller.stop()
