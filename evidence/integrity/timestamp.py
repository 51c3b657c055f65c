"""RFC 3161 time-stamps over seal files, checkable with ``openssl ts -verify``.

A time-stamping authority (TSA) signs a statement "these SHA-256 bytes existed at
genTime". For a seal, the message imprint is the SHA-256 of the seal file's exact bytes;
the request carries a fresh nonce and asks for the TSA's certificate (RFC 3161 §2.4.1,
``certReq``), and is POSTed as ``application/timestamp-query`` (RFC 3161 §3.4). What is
stored beside ``seals/0001.json``:

- ``0001.json.1.tsr``: the TimeStampResp exactly as the TSA sent it (``.2.tsr`` … for
  further authorities or later stamps);
- ``0001.json.1.chain.pem``: the certificates the TSA sent, its signing certificate first;
- ``0001.json.1.root.pem``: when ``--tsa-ca`` was given at stamp time, the root certificate
  the token was found to chain to (information for an outsider, not a trust decision:
  docs/decisions/0411).

and anyone can check them with::

    openssl ts -verify -data seals/0001.json -in seals/0001.json.1.tsr \\
        -CAfile tsa-root.pem -untrusted seals/0001.json.1.chain.pem

ASN.1 is left to maintained libraries: ``rfc3161-client`` (the one sigstore uses)
builds requests and parses responses strictly (DER); ``cryptography`` reads
certificates. One interoperability trap is handled here: ``openssl ts -reply`` with a
``certs=`` chain writes the token's certificate SET in the order given, not in the DER
order, which strict parsers reject. When a response fails the strict parser for that
reason, its certificates are read with OpenSSL's lenient PKCS#7 reader and the token is
requested once more without ``certReq``; the stored token then parses strictly, and the
chain file beside it carries the certificates (see docs/decisions/0402).

Example:
    >>> chain_path(Path("seals/0001.json.1.tsr")).name
    '0001.json.1.chain.pem'
    >>> # request_token(seal_bytes, "https://tsa.example/tsr").token.gen_time
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Final, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat import asn1
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from evidence._fs import read_bytes, write_new_file
from evidence._time import format_time, parse_time
from evidence.canonical import JSONValue
from evidence.case import Case, default_actor
from evidence.digest import digest_bytes
from evidence.errors import EvidenceError, InputError, UsageError
from evidence.integrity.custody import NewEvent
from evidence.integrity.proof import load_seal
from evidence.model import Seal

__all__ = [
    "DEFAULT_CLOCK_SKEW",
    "DEFAULT_TIMEOUT",
    "SignatureCheck",
    "StampResult",
    "StampedToken",
    "TimestampError",
    "Token",
    "TokenReply",
    "chain_path",
    "chain_pem",
    "chained_root",
    "check_not_before_seal",
    "check_signature",
    "check_url",
    "load_certificates",
    "openssl_verify_command",
    "parse_token",
    "request_token",
    "root_path",
    "stamp_seal",
    "token_paths",
]

QUERY_MEDIA_TYPE: Final = "application/timestamp-query"
REPLY_MEDIA_TYPE: Final = "application/timestamp-reply"
DEFAULT_TIMEOUT: Final = 10.0
"""Seconds a TSA has to answer, in all (connection, request and the whole reply)."""
DEFAULT_CLOCK_SKEW: Final = 300.0
"""Seconds genTime may precede a seal's ``sealed_at`` (the sealing computer's clock)."""
MAX_REPLY_BYTES: Final = 1 << 20

_TOKEN_NAME = re.compile(r"^(?P<seal>[0-9]{4,}\.json)\.(?P<n>[1-9][0-9]*)\.tsr$")
_HASHES: Final = {
    "2.16.840.1.101.3.4.2.1": ("sha256", hashlib.sha256),
    "2.16.840.1.101.3.4.2.2": ("sha384", hashlib.sha384),
    "2.16.840.1.101.3.4.2.3": ("sha512", hashlib.sha512),
}


class TimestampError(EvidenceError):
    """A time-stamping authority gave no usable token, or a stored token cannot be read."""


# -- reading tokens ---------------------------------------------------------------------


@asn1.sequence
class _ContentInfo:
    """RFC 5652 §3 ContentInfo, its content kept as raw bytes (never re-encoded)."""

    content_type: x509.ObjectIdentifier
    content: Annotated[asn1.TLV, asn1.Explicit(0)]


@asn1.sequence
class _GrantedResponse:
    """RFC 3161 §2.4.2 TimeStampResp of a granted request: status, then the token."""

    status: asn1.TLV
    time_stamp_token: _ContentInfo


def _lenient_certificates(data: bytes) -> list[x509.Certificate] | None:
    """The certificates of a response that strict DER rejects, read by OpenSSL; or None.

    Only the outer framing (status, token) must be DER; the token itself is handed to
    OpenSSL's PKCS#7 reader, which accepts a certificate SET in any order.
    """
    try:
        response = asn1.decode_der(_GrantedResponse, data)
        token = asn1.encode_der(response.time_stamp_token)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "parsed as BER": the very case handled here
            return list(pkcs7.load_der_pkcs7_certificates(token))
    except (ValueError, TypeError):
        return None


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _unique(certs: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    seen: set[bytes] = set()
    out = []
    for cert in certs:
        der = _der(cert)
        if der not in seen:
            seen.add(der)
            out.append(cert)
    return out


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


@dataclass(frozen=True)
class Token:
    """A parsed RFC 3161 response and what a verifier needs from it.

    Attributes:
        data: the response bytes, as stored.
        response: the response as ``rfc3161-client`` parsed it.
        certificates: the token's certificates and those of the chain file, signer first.
        signer: the certificate whose issuer and serial the SignerInfo names, if present.
        gen_time: when the TSA says it signed (TSTInfo genTime), UTC.
    """

    data: bytes
    response: TimeStampResponse
    certificates: tuple[x509.Certificate, ...]
    signer: x509.Certificate | None
    gen_time: _dt.datetime
    nonce: int | None
    serial: int
    hash_name: str
    imprint: bytes
    policy: str
    certs_in_token: bool

    @property
    def tsa_name(self) -> str:
        """The TSA's name in the token, else its signing certificate's subject."""
        name = self.response.tst_info.name
        value = getattr(name, "value", None)
        if isinstance(value, x509.Name):
            return value.rfc4514_string()
        if isinstance(value, str):
            return value
        return self.signer.subject.rfc4514_string() if self.signer else "unknown TSA"

    def imprint_matches(self, message: bytes) -> bool:
        """True when the token's message imprint is the digest of ``message``."""
        oid = self.response.tst_info.message_imprint.hash_algorithm.dotted_string
        known = _HASHES.get(oid)
        return known is not None and known[1](message).digest() == self.imprint


def parse_token(data: bytes, *, path: str, chain: Sequence[x509.Certificate] = ()) -> Token:
    """Parse a stored or received TimeStampResp strictly (DER).

    Args:
        data: the response bytes.
        path: the file (or URL) it came from, for messages.
        chain: further certificates (the chain file stored beside the token).

    Raises:
        TimestampError: not an RFC 3161 response, not granted, or not DER.
    """
    try:
        response = decode_timestamp_response(data)
    except ValueError as exc:
        if "InvalidSetOrdering" in str(exc):
            raise TimestampError(
                "the token's certificate SET is not in DER order (as `openssl ts -reply` "
                "with certs= writes it); strict parsers reject it",
                path=path,
                hint="`evidence stamp` re-requests such tokens without certificates; "
                "`openssl ts -verify` still accepts this one.",
            ) from exc
        raise TimestampError(
            f"not an RFC 3161 time-stamp response: {_short_error(exc)}", path=path
        ) from exc
    status = response.status
    if status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        said = "; ".join(response.status_string) or "no reason given"
        raise TimestampError(
            f"the TSA refused the request (PKIStatus {_status_name(status)}: {said})", path=path
        )
    try:
        info = response.tst_info
        embedded = [
            x509.load_der_x509_certificate(der) for der in sorted(response.signed_data.certificates)
        ]
        signer_infos = list(response.signed_data.signer_infos)
    except ValueError as exc:
        raise TimestampError(f"the token cannot be read: {_short_error(exc)}", path=path) from exc
    certs = _unique([*embedded, *chain])
    signer = None
    if len(signer_infos) == 1:
        info_issuer, info_serial = signer_infos[0].issuer, signer_infos[0].serial_number
        signer = next(
            (c for c in certs if c.issuer == info_issuer and c.serial_number == info_serial), None
        )
    if signer is not None:
        certs = [signer, *(c for c in certs if c is not signer)]
    oid = info.message_imprint.hash_algorithm.dotted_string
    gen_time = info.gen_time
    if gen_time.tzinfo is None:
        gen_time = gen_time.replace(tzinfo=_dt.UTC)
    return Token(
        data=data,
        response=response,
        certificates=tuple(certs),
        signer=signer,
        gen_time=gen_time.astimezone(_dt.UTC),
        nonce=info.nonce,
        serial=info.serial_number,
        hash_name=_HASHES.get(oid, (oid, None))[0],
        imprint=info.message_imprint.message,
        policy=info.policy.dotted_string,
        certs_in_token=bool(embedded),
    )


def _status_name(status: int) -> str:
    try:
        return f"{status} {PKIStatus(status).name.lower().replace('_', ' ')}"
    except ValueError:
        return str(status)


def _short_error(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


# -- signature and chain ----------------------------------------------------------------

SignatureStatus = Literal["anchored", "unanchored", "unchecked", "invalid"]


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """The outcome of checking a token's CMS signature and certificate chain.

    ``anchored``: valid, and chains to a CA the verifier trusts; ``unanchored``: valid
    against the chain the TSA sent (which ends in a root nobody vouched for);
    ``unchecked``: the stored chain reaches no root, so nothing could be checked without
    a trusted CA; ``invalid``: the signature or the chain does not check.
    """

    status: SignatureStatus
    message: str


def check_signature(
    token: Token, trusted_roots: Sequence[x509.Certificate] | None
) -> SignatureCheck:
    """Check a token's signature, its signer's time-stamping EKU, and its chain.

    With ``trusted_roots`` the chain must end at one of them (the stored certificates
    serve only as intermediates; a root among them is not trusted). Without, it is checked
    against the root the TSA sent, if any: valid, but not anchored to a trusted root.
    The chain is checked at genTime (RFC 3161 §4.1), as ``openssl ts -verify`` does.
    """
    if token.signer is None:
        return SignatureCheck(
            "invalid",
            "the certificate that signed the token is neither in the token nor in the chain file",
        )
    if trusted_roots is None:
        roots = [c for c in token.certificates if _self_signed(c)]
        if not roots:
            return SignatureCheck(
                "unchecked",
                "the stored chain reaches no root certificate; "
                "give the TSA's root with --tsa-ca to check it",
            )
        intermediates = [c for c in token.certificates if not _self_signed(c)]
    else:
        roots = list(trusted_roots)
        # A root among the stored certificates must not become a trust anchor.
        intermediates = [c for c in token.certificates if c.issuer != c.subject and c not in roots]
    builder = VerifierBuilder(
        roots=_unique(roots),
        intermediates=_unique(intermediates),
        tsa_certificate=None if token.certs_in_token else token.signer,
    )
    try:
        builder.build().verify(token.response, token.imprint)
    except (VerificationError, ValueError) as exc:
        return SignatureCheck("invalid", _short_error(exc))
    who = token.signer.subject.rfc4514_string()
    if trusted_roots is None:
        return SignatureCheck(
            "unanchored",
            f"signature by {who} is valid against the chain "
            "the TSA sent, which is not anchored to a trusted "
            "root (give --tsa-ca)",
        )
    return SignatureCheck("anchored", f"signature by {who} chains to a trusted root")


def load_certificates(path: Path, *, what: str = "certificate file") -> list[x509.Certificate]:
    """Read PEM certificates (one or more) from a file.

    Raises:
        InputError: unreadable, or holds no PEM certificate.
    """
    data = read_bytes(path, what=what)
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise InputError(
            f"not a PEM certificate file ({_short_error(exc)})", path=str(path)
        ) from exc
    return certs


def chain_pem(certs: Iterable[x509.Certificate]) -> bytes:
    """PEM of the certificates, in order."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


# -- asking a TSA -------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenReply:
    """A token a TSA gave for some bytes, checked against the request."""

    url: str
    token: Token
    nonce: int
    refetched: bool
    """True when the TSA's first reply was not DER and the token was asked again
    without certificates (the chain file then holds them)."""


def check_url(url: str) -> None:
    """Refuse a TSA URL that is not http(s).

    Raises:
        UsageError: not an http:// or https:// URL.
    """
    if not re.match(r"^https?://[^/\s]+", url):
        raise UsageError(f"{url!r} is not an http:// or https:// URL of a time-stamping authority")


def _post(url: str, body: bytes, *, deadline: float) -> tuple[bytes, str]:
    """POST a query; the reply's bytes and media type. Bounded in time and size."""
    # check_url allowed http(s) only: never file: or custom schemes.
    request = urllib.request.Request(  # noqa: S310
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": QUERY_MEDIA_TYPE,
            "Accept": REPLY_MEDIA_TYPE,
            "User-Agent": "evidence (RFC 3161 client)",
        },
    )
    left = deadline - time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=max(left, 0.05)) as reply:  # noqa: S310
            chunks: list[bytes] = []
            size = 0
            while chunk := reply.read(16384):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_REPLY_BYTES:
                    raise TimestampError(
                        f"{url}: the answer is larger than "
                        f"{MAX_REPLY_BYTES} bytes; not a time-stamp reply"
                    )
                if time.monotonic() > deadline:
                    raise TimeoutError
            kind = reply.headers.get_content_type() if reply.headers else ""
            return b"".join(chunks), kind
    except urllib.error.HTTPError as exc:
        raise TimestampError(f"{url}: the TSA answered HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise _timeout(url, deadline) from exc
        raise TimestampError(f"{url}: cannot reach the TSA ({reason})") from exc
    except TimeoutError as exc:
        raise _timeout(url, deadline) from exc
    except OSError as exc:
        raise TimestampError(f"{url}: the connection failed ({exc})") from exc


def _timeout(url: str, deadline: float) -> TimestampError:
    return TimestampError(
        f"{url}: no complete answer in time (timed out)",
        hint="The TSA is slow or unreachable; try again later with "
        "`evidence stamp DIR --tsa URL`, or raise --tsa-timeout.",
    )


def _ask(message: bytes, url: str, *, cert_req: bool, deadline: float) -> tuple[bytes, int]:
    request = (
        TimestampRequestBuilder()
        .data(message)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=cert_req)
        .build()
    )
    nonce = request.nonce
    assert nonce is not None  # asked for above
    data, kind = _post(url, request.as_bytes(), deadline=deadline)
    if kind != REPLY_MEDIA_TYPE and _lenient_certificates(data) is None:
        try:
            decode_timestamp_response(data)
        except ValueError as exc:
            raise TimestampError(
                f"{url}: the answer is not a time-stamp reply ({len(data)} "
                f"bytes of {kind or 'unlabelled data'})"
            ) from exc
    return data, nonce


def request_token(message: bytes, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> TokenReply:
    """Ask a TSA to time-stamp ``message`` (SHA-256 imprint, nonce, certReq).

    The reply is checked before it is returned: it must parse, be granted, carry the
    imprint of ``message`` and the request's nonce, name a signing certificate, and its
    signature must check against the chain the TSA sent when that chain has a root.

    Raises:
        UsageError: ``url`` is not an http(s) URL.
        TimestampError: the TSA is down, slow, refuses, or answers something unusable.
    """
    check_url(url)
    deadline = time.monotonic() + timeout
    data, nonce = _ask(message, url, cert_req=True, deadline=deadline)
    refetched = False
    chain: list[x509.Certificate] = []
    try:
        token = parse_token(data, path=url)
    except TimestampError:
        lenient = _lenient_certificates(data)
        if not lenient:
            raise
        # The trap of docs/decisions/0402: ask again without certReq and keep the
        # certificates of the first reply in the chain file.
        chain = lenient
        data, nonce = _ask(message, url, cert_req=False, deadline=deadline)
        token = parse_token(data, path=url, chain=chain)
        refetched = True
    if not token.imprint_matches(message):
        raise TimestampError(
            f"{url}: the token is for other data (its imprint is not the SHA-256 of what was sent)"
        )
    if token.nonce != nonce:
        raise TimestampError(
            f"{url}: the token's nonce is not the request's (a replayed or foreign token)"
        )
    if token.signer is None:
        raise TimestampError(
            f"{url}: the TSA sent no certificate that signed the token",
            hint="A token cannot be checked without the TSA's certificate.",
        )
    checked = check_signature(token, None)
    if checked.status == "invalid":
        raise TimestampError(f"{url}: the token's signature does not check: {checked.message}")
    return TokenReply(url, token, nonce, refetched)


# -- stamping a seal ----------------------------------------------------------------------


def token_paths(seal_path: Path, names: Iterable[str] | None = None) -> list[tuple[int, Path]]:
    """The tokens stored beside a seal file, as (n, path), by n.

    ``names``: the file names in the seal's folder, when the caller has listed it already
    (a verifier going through many seals lists the folder once).
    """
    if names is None:
        if not seal_path.parent.is_dir():
            return []
        names = (entry.name for entry in seal_path.parent.iterdir())
    found = []
    for name in names:
        match = _TOKEN_NAME.match(name)
        if match and match["seal"] == seal_path.name:
            found.append((int(match["n"]), seal_path.with_name(name)))
    return sorted(found)


def chain_path(token_path: Path) -> Path:
    """``0001.json.1.chain.pem`` for ``0001.json.1.tsr``."""
    return token_path.with_name(token_path.name[: -len(".tsr")] + ".chain.pem")


def root_path(token_path: Path) -> Path:
    """``0001.json.1.root.pem`` for ``0001.json.1.tsr``: the root given at stamp time."""
    return token_path.with_name(token_path.name[: -len(".tsr")] + ".root.pem")


def chained_root(token: Token, roots: Sequence[x509.Certificate]) -> x509.Certificate | None:
    """The first of ``roots`` the token checks in full against (signature, chain), or None."""
    for root in roots:
        if check_signature(token, [root]).status == "anchored":
            return root
    return None


@dataclass(frozen=True)
class StampedToken:
    """A token stored beside a seal."""

    path: Path
    chain: Path
    url: str
    root: Path | None
    gen_time: _dt.datetime
    tsa_name: str
    refetched: bool


@dataclass
class StampResult:
    """What ``stamp`` did: the tokens stored, and the authorities that failed."""

    seal_path: Path
    stamped: list[StampedToken] = field(default_factory=list)
    failures: list[tuple[str, EvidenceError]] = field(default_factory=list)


def check_not_before_seal(token: Token, sealed_at: str, skew: float) -> str | None:
    """A message when genTime precedes ``sealed_at`` by more than ``skew`` seconds."""
    sealed = parse_time(sealed_at)
    if token.gen_time < sealed - _dt.timedelta(seconds=skew):
        return (
            f"genTime {format_time(token.gen_time)} precedes the seal's sealed_at "
            f"{sealed_at} by more than {skew:g} s: a time-stamp cannot come before "
            "what it stamps (the sealing computer's clock was ahead?)"
        )
    return None


def stamp_seal(
    case: Case,
    *,
    tsa_urls: Sequence[str],
    sequence: int | None = None,
    actor: str | None = None,
    now: _dt.datetime | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    clock_skew: float = DEFAULT_CLOCK_SKEW,
    tsa_ca: Sequence[x509.Certificate] | None = None,
) -> StampResult:
    """Time-stamp a seal (the latest by default) with each authority in turn.

    Each authority is asked without holding the case lock; each token that checks is
    stored beside the seal (``.N.tsr`` and ``.N.chain.pem``, never rewritten) with a
    ``timestamped`` custody event. An authority that fails is reported in
    :attr:`StampResult.failures` and the others still run; nothing of it is written.

    With ``tsa_ca`` (the roots given with ``--tsa-ca``), a token must chain to one of
    them, or it is refused and nothing of it is stored; the root it chains to is stored
    beside it (``.N.root.pem``) and its SHA-256 recorded in the event (``root_sha256``),
    so an outsider has the root without asking anyone (docs/decisions/0411).

    Raises:
        UsageError: no such seal, or a URL that is not http(s).
        LockError: another process is writing to the case.
    """
    for url in tsa_urls:
        check_url(url)
    sealed = load_seal(case, sequence)
    seal_path, seal, seal_bytes = sealed.path, sealed.seal, sealed.data
    result = StampResult(seal_path)
    who = default_actor(actor)
    for url in tsa_urls:
        try:
            reply = request_token(seal_bytes, url, timeout=timeout)
            early = check_not_before_seal(reply.token, seal.sealed_at, clock_skew)
            if early:
                raise TimestampError(f"{url}: {early}")
            root = None if tsa_ca is None else chained_root(reply.token, tsa_ca)
            if tsa_ca is not None and root is None:
                why = check_signature(reply.token, tsa_ca).message
                raise TimestampError(
                    f"{url}: the token does not chain to the root given with --tsa-ca "
                    f"({why}); nothing of it was stored",
                    hint="Give the root certificate of this time-stamping authority.",
                )
        except TimestampError as exc:
            result.failures.append((url, exc))
            continue
        result.stamped.append(_store(case, seal_path, seal, seal_bytes, reply, who, now, root))
    return result


def _store(
    case: Case,
    seal_path: Path,
    seal: Seal,
    seal_bytes: bytes,
    reply: TokenReply,
    who: str,
    now: _dt.datetime | None,
    root: x509.Certificate | None = None,
) -> StampedToken:
    token = reply.token
    with case.lock():
        taken = [n for n, _ in token_paths(seal_path)]
        n = max(taken, default=0) + 1
        path = seal_path.with_name(f"{seal_path.name}.{n}.tsr")
        chain = chain_path(path)
        write_new_file(path, token.data)
        chain_bytes = chain_pem(token.certificates)
        write_new_file(chain, chain_bytes)
        stored_root = None
        if root is not None:
            stored_root = root_path(path)
            root_bytes = chain_pem([root])
            write_new_file(stored_root, root_bytes)
        details: dict[str, JSONValue] = {
            "seal": seal.sequence,
            "seal_sha256": digest_bytes(seal_bytes).sha256,
            "file": case.rel(path),
            "chain": case.rel(chain),
            "tsa": reply.url,
            "tsa_name": token.tsa_name,
            "gen_time": format_time(token.gen_time),
            # Nonces and serials are up to 160 bits: strings, as RFC 8785 numbers are
            # exact only up to 2**53.
            "serial": str(token.serial),
            "nonce": str(reply.nonce),
            "sha256": digest_bytes(token.data).sha256,
            "certs_in_token": token.certs_in_token,
            # The chain file is bound too: a swapped certificate is a finding
            # (docs/decisions/0405).
            "chain_sha256": digest_bytes(chain_bytes).sha256,
        }
        if stored_root is not None:
            # The root given with --tsa-ca, for an outsider; the trust decision stays
            # theirs (docs/decisions/0411).
            details["root"] = case.rel(stored_root)
            details["root_sha256"] = digest_bytes(root_bytes).sha256
        case.custody.append([NewEvent("timestamped", None, details)], actor=who, now=now)
    return StampedToken(
        path, chain, reply.url, stored_root, token.gen_time, token.tsa_name, reply.refetched
    )


def openssl_verify_command(seal_file: str, n: int = 1, ca_file: str = "tsa-root.pem") -> str:
    """The stock-tool command that checks the ``n``-th token of a seal."""
    return (
        f"openssl ts -verify -data {seal_file} -in {seal_file}.{n}.tsr "
        f"-CAfile {ca_file} -untrusted {seal_file}.{n}.chain.pem"
    )
