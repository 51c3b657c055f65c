"""A real RFC 3161 time-stamping authority for tests: ``openssl ts -reply`` over HTTP.

The authority runs on 127.0.0.1 on a free port. A CA and the TSA certificates are made
here with ``cryptography``; each request is answered by the stock ``openssl ts -reply``
command, so the tokens are what a real OpenSSL-based TSA sends. The URL path picks a
behaviour:

- ``/signer``: the token carries the TSA's signing certificate only;
- ``/chain``: ``certs=`` names the CA, and the signing certificate is larger than the
  CA's, so OpenSSL writes the certificate SET out of DER order (the interoperability
  trap of issue 4, which strict parsers reject);
- ``/chain-sorted``: the same with a signing certificate smaller than the CA's, so the
  SET happens to be in DER order and the token carries the root;
- ``/reject``: an authority that refuses SHA-256 (PKIStatus rejection, badAlg);
- ``/other``: a valid token, but over other data;
- ``/foreign-nonce``: a valid token over the same data, answering another request;
- ``/garbage``: HTTP 200 with bytes that are no time-stamp response;
- ``/error``: HTTP 500;
- ``/slow``: answers after ``slow_seconds``.

Example:
    >>> # with TestTSA(tmp_path) as tsa: request_token(b"x", tsa.url("signer"))
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import secrets
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["TestTSA", "free_port", "have_openssl", "make_ca"]

_CONFIG = """\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = {dir}/serial
crypto_device = builtin
signer_cert = {cert}
signer_key = {key}
{certs_line}
signer_digest = sha256
default_policy = 1.3.6.1.4.1.4146.2.3
other_policies = 1.3.6.1.4.1.4146.2.2
digests = {digests}
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def have_openssl() -> bool:
    return shutil.which("openssl") is not None


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (for a TSA that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "evidence tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _pem_key(key: Key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def make_ca(
    common: str, key: Key | None = None, now: dt.datetime | None = None
) -> tuple[x509.Certificate, Key]:
    """A self-signed root CA certificate and its key."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    moment = now or dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(_name(common))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(moment - dt.timedelta(days=1))
        .not_valid_after(moment + dt.timedelta(days=60))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _make_tsa_cert(
    common: str, key: Key, ca: x509.Certificate, ca_key: Key, now: dt.datetime, *, padding: int = 0
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    if padding:  # a policy note makes the certificate larger than the CA's
        builder = builder.add_extension(
            x509.CertificatePolicies(
                [
                    x509.PolicyInformation(
                        x509.ObjectIdentifier("1.3.6.1.4.1.4146.1.99"),
                        [x509.UserNotice(None, "x" * padding)],
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(ca_key, hashes.SHA256())


class TestTSA:
    """The authority; use as a context manager, or call :meth:`start` and :meth:`stop`."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, workdir: Path, *, slow_seconds: float = 3.0) -> None:
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.slow_seconds = slow_seconds
        self.requests = 0
        self._lock = threading.Lock()
        now = dt.datetime.now(dt.UTC)
        self.ca_cert, ca_key = make_ca("evidence test root CA", now=now)
        self.ca_pem = self.dir / "tsa-root.pem"
        self.ca_pem.write_bytes(_pem(self.ca_cert))
        small_key = ec.generate_private_key(ec.SECP256R1())
        big_key = ec.generate_private_key(ec.SECP256R1())
        self.small_cert = _make_tsa_cert("evidence test TSA", small_key, self.ca_cert, ca_key, now)
        self.big_cert = _make_tsa_cert(
            "evidence test TSA (long form)", big_key, self.ca_cert, ca_key, now, padding=600
        )
        der = serialization.Encoding.DER
        ca_len = len(self.ca_cert.public_bytes(der))
        assert (
            len(self.small_cert.public_bytes(der)) < ca_len < len(self.big_cert.public_bytes(der))
        ), "the shapes need a small and a big TSA certificate"
        self._files: dict[str, Path] = {}
        for name, cert, key in (
            ("small", self.small_cert, small_key),
            ("big", self.big_cert, big_key),
        ):
            (self.dir / f"{name}.crt").write_bytes(_pem(cert))
            (self.dir / f"{name}.key").write_bytes(_pem_key(key))
        (self.dir / "serial").write_text("01\n")
        self._configs = {
            "signer": self._config("signer", "small", chain=False),
            "chain": self._config("chain", "big", chain=True),
            "chain-sorted": self._config("chain-sorted", "small", chain=True),
            "reject": self._config("reject", "small", chain=False, digests="sha512"),
        }
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _config(
        self, mode: str, which: str, *, chain: bool, digests: str = "sha256, sha512"
    ) -> Path:
        path = self.dir / f"{mode}.cnf"
        certs_line = f"certs = {self.ca_pem}" if chain else ""
        path.write_text(
            _CONFIG.format(
                dir=self.dir,
                cert=self.dir / f"{which}.crt",
                key=self.dir / f"{which}.key",
                certs_line=certs_line,
                digests=digests,
            )
        )
        return path

    # -- the authority -------------------------------------------------------------------

    def reply(self, mode: str, query: bytes) -> bytes:
        """Answer a TimeStampReq with ``openssl ts -reply`` in the given mode."""
        with self._lock:
            self.requests += 1
            name = secrets.token_hex(4)
            query_file = self.dir / f"q-{name}.tsq"
            reply_file = self.dir / f"r-{name}.tsr"
            if mode == "other":
                query = self._query(digest=hashlib.sha256(b"some other data").hexdigest())
            elif mode == "foreign-nonce":
                query = self._query(digest=self._imprint(query))
            query_file.write_bytes(query)
            config = self._configs.get(mode, self._configs["signer"])
            try:
                subprocess.run(
                    [
                        "openssl",
                        "ts",
                        "-reply",
                        "-config",
                        str(config),
                        "-queryfile",
                        str(query_file),
                        "-out",
                        str(reply_file),
                    ],
                    check=True,
                    capture_output=True,
                    timeout=30,
                )
                return reply_file.read_bytes()
            finally:
                query_file.unlink(missing_ok=True)
                reply_file.unlink(missing_ok=True)

    def _query(self, *, digest: str) -> bytes:
        out = self.dir / f"own-{secrets.token_hex(4)}.tsq"
        try:
            subprocess.run(
                [
                    "openssl",
                    "ts",
                    "-query",
                    "-digest",
                    digest,
                    "-sha256",
                    "-cert",
                    "-out",
                    str(out),
                ],
                check=True,
                capture_output=True,
                timeout=30,
            )
            return out.read_bytes()
        finally:
            out.unlink(missing_ok=True)

    @staticmethod
    def _imprint(query: bytes) -> str:
        """The SHA-256 imprint of a query (read with the library's own request parser)."""
        from rfc3161_client._rust import parse_timestamp_request

        return bytes(parse_timestamp_request(query).message_imprint.message).hex()

    # -- HTTP ----------------------------------------------------------------------------

    def url(self, mode: str = "signer") -> str:
        assert self._server is not None, "start the TSA first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/{mode}"

    def start(self) -> Self:
        tsa = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                mode = self.path.strip("/")
                if mode == "error":
                    self.send_error(500, "the authority is out of order")
                    return
                if mode == "slow":
                    time.sleep(tsa.slow_seconds)
                    mode = "signer"
                if mode == "garbage":
                    answer, kind = b"<html>this is not a time-stamp</html>", "text/html"
                elif self.headers.get("Content-Type") != "application/timestamp-query":
                    self.send_error(415, "expected application/timestamp-query")
                    return
                else:
                    answer, kind = tsa.reply(mode, body), "application/timestamp-reply"
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the slow mode)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
