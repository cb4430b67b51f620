"""A throwaway self-signed certificate for the test mail servers (made with the ``openssl`` command line tool).

Valid for ``localhost`` and ``127.0.0.1`` for two days; clients trust it by loading the certificate itself as
their CA file.
"""
from __future__ import annotations

import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


@dataclass(frozen=True)
class Certificate:
    cert: Path  # PEM certificate; also the CA file a client trusts
    key: Path  # PEM private key (unencrypted)

    def server_context(self) -> ssl.SSLContext:
        """A server-side TLS context with this certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.cert), str(self.key))
        return context


def make_certificate(folder: Path, name: str = "server") -> Certificate:
    """Create a new key and self-signed certificate in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-addext", "basicConstraints=critical,CA:TRUE", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return Certificate(cert, key)
