"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, a free port, capturing every envelope it accepts.

Recipients at ``later.example`` get ``451`` (transient) and at ``refused.example`` get ``550`` (permanent).
Use the ``smtp_server`` fixture (``from tests.servers.smtp import smtp_server  # noqa: F401``).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from tests.servers.dovecot import free_port


@dataclass
class Envelope:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class CaptureHandler:
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        domain = address.rpartition("@")[2].lower()
        if domain == "later.example":
            return "451 4.3.0 Try again later"
        if domain == "refused.example":
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(Envelope(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 Message accepted"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: CaptureHandler

    @property
    def envelopes(self) -> list[Envelope]:
        return self.handler.envelopes


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    """An aiosmtpd server capturing envelopes for the whole session (tests clear ``envelopes`` as they need)."""
    handler = CaptureHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()
