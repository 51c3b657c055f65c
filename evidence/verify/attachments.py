"""Verification of what is stored beside a seal: its signature and its time-stamp tokens.

For ``seals/0001.json``, the checks and the names the report uses:

- ``seal-signer``: the public key a seal embeds has the fingerprint the seal names;
- ``seal-signature``: ``0001.json.sig`` is a 64-byte Ed25519 signature (RFC 8032) of the
  seal file's bytes by the key the seal names. It is always checked against the public
  key the seal embeds (docs/decisions/0405): a bad signature is a FAIL whether or not a
  key is trusted. Trust is a separate finding (``seal-signer``): the key is pinned by
  ``--trusted-key`` (PASS), or it is reported as not pinned (INFO), which is not OK under
  ``--require-signature``. A seal made before keys were embedded can be checked only
  against ``--trusted-key``; without one it is INFO, never PASS;
- ``seal-trust``, ``timestamp-trust`` (:func:`check_seal_trust`, across the chain): given
  ``--trusted-key``, the latest seal must be signed by a trusted key; once a seal is
  signed, every later seal must be signed; given ``--tsa-ca``, the latest seal must carry
  a token that checks and chains to it;
- ``timestamp-chain``: the chain file stored beside a token is the one the token names
  (the certificates the token embeds, or a path from the signer the token names), and has
  the SHA-256 the ``timestamped`` event recorded;
- ``timestamp-token``, ``timestamp-imprint``, ``timestamp-nonce``, ``timestamp-signature``,
  ``timestamp-time``: each ``0001.json.N.tsr`` parses as a granted RFC 3161 response, its
  message imprint is the digest of the seal file, its nonce is the one the custody log
  recorded when it was asked for, its CMS signature and certificate chain check against
  ``--tsa-ca`` (or, without one, against the chain the TSA sent: valid but "not anchored
  to a trusted root"), and its genTime does not precede the seal's ``sealed_at`` by more
  than the clock skew allowed;
- ``timestamp-root``: a ``0001.json.N.root.pem`` (the root given with ``--tsa-ca`` at stamp
  time) has the SHA-256 the ``timestamped`` event recorded (``root_sha256``), the token
  chains to it, and an event names it; whether it is among ``--tsa-ca`` is reported as
  information only: the trust decision stays ``--tsa-ca``'s (docs/decisions/0411);
- ``signature-logged``, ``timestamp-logged``: the custody log has the ``signed`` or
  ``timestamped`` event that names each file, with the file's SHA-256 (when a custody log
  is at hand);
- ``seal-attachment``: a file beside the seal that is none of these (a FAIL: the case
  folder is a closed world).

Example:
    >>> custody_attachment_events(None) is None  # no custody log at hand: nonces unchecked
    True
    >>> # check_seal_attachments(report, Path("seals/0001.json"), data, doc, VerifyOptions(),
    >>> #                        rel="seals/0001.json", custody_path=Path("custody.jsonl"))
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from evidence._fs import read_bytes
from evidence.canonical import loads_json
from evidence.digest import digest_bytes
from evidence.errors import EvidenceError
from evidence.integrity.sign import (
    SIGNATURE_LENGTH,
    PublicKey,
    load_trusted_keys,
    signature_path,
)
from evidence.integrity.timestamp import (
    TimestampError,
    Token,
    chain_path,
    check_not_before_seal,
    check_signature,
    load_certificates,
    parse_token,
    root_path,
    token_paths,
)
from evidence.report import Report
from evidence.verify.options import VerifyOptions

__all__ = [
    "AttachmentResult",
    "SignatureState",
    "check_seal_attachments",
    "check_seal_trust",
    "custody_attachment_events",
    "files_beside",
]

SignatureState = Literal["trusted", "valid", "unchecked", "unsigned", "bad"]
"""What a seal's signature established: ``trusted`` (checks, by a pinned key), ``valid``
(checks against the key the seal embeds, which is not pinned), ``unchecked`` (a seal
without an embedded key and no trusted key to check it), ``unsigned``, ``bad``."""

_KNOWN = re.compile(r"^\.(sig|[1-9][0-9]*\.tsr|[1-9][0-9]*\.(?:chain|root)\.pem)$")
_ACTIONS = (b'"action":"signed"', b'"action":"timestamped"')
_TOKEN_COMPANIONS: Final = (
    (".root.pem", "timestamp-root", "root file"),
    (".chain.pem", "timestamp-chain", "certificate chain"),
)
"""Files that belong to a time-stamp token (``0001.json.1.tsr``): one without its token
is a finding, like any file the case does not account for."""


@functools.lru_cache(maxsize=8)
def _index(path: str, size: int, mtime_ns: int) -> Mapping[str, Mapping[str, Any]]:
    del size, mtime_ns  # only part of the cache key: the log is append-only
    found: dict[str, Mapping[str, Any]] = {}
    try:
        with open(path, "rb") as fh:
            for raw in fh:
                if not any(action in raw for action in _ACTIONS):
                    continue
                try:
                    event = loads_json(raw.rstrip(b"\n"), path=path)
                except EvidenceError:
                    continue  # the custody checks report lines that do not parse
                details = event.get("details") if isinstance(event, dict) else None
                if not isinstance(details, dict) or not isinstance(details.get("file"), str):
                    continue
                found[details["file"].rsplit("/", 1)[-1]] = {
                    **details,
                    "_action": event.get("action"),
                }
    except OSError:
        return {}
    return found


def custody_attachment_events(custody_path: Path | None) -> Mapping[str, Mapping[str, Any]] | None:
    """The ``signed`` and ``timestamped`` events of a custody log, by the file they name.

    None when there is no log to consult. Read once per state of the log.
    """
    if custody_path is None or not custody_path.is_file():
        return None
    stat = custody_path.stat()
    return _index(str(custody_path), stat.st_size, stat.st_mtime_ns)


@dataclass(frozen=True, slots=True)
class AttachmentResult:
    """What the files beside one seal established, for the rules across the chain."""

    signature: SignatureState
    fingerprint: str | None
    anchored: bool
    """A time-stamp token checks in full and chains to ``--tsa-ca``."""


@dataclass
class _Seal:
    """The seal being checked and where its findings go."""

    report: Report
    path: Path
    data: bytes
    doc: Mapping[str, Any]
    rel: str
    options: VerifyOptions
    events: Mapping[str, Mapping[str, Any]] | None
    beside: tuple[str, ...]
    """The names of the files beside the seal (``0001.json.…``), sorted."""

    @property
    def sha256(self) -> str:
        return digest_bytes(self.data).sha256

    def rel_of(self, path: Path) -> str:
        return f"{self.rel}{path.name[len(self.path.name) :]}"


def check_seal_attachments(
    report: Report,
    seal_path: Path,
    seal_bytes: bytes,
    seal_doc: Mapping[str, Any],
    options: VerifyOptions,
    *,
    rel: str,
    custody_path: Path | None,
    beside: Sequence[str] | None = None,
) -> AttachmentResult:
    """Check the signature and the time-stamp tokens stored beside one seal.

    Args:
        report: where findings go.
        seal_path: the seal file.
        seal_bytes: its bytes, as read once by the caller.
        seal_doc: its parsed, schema-valid content.
        options: trusted keys, TSA roots, requirements, clock skew.
        rel: the seal file as the report names it (``seals/0001.json``).
        custody_path: the custody log that should record the attachments, if any.
        beside: the names of the files beside this seal, from :func:`files_beside`, when
            the caller has listed the folder once for all its seals (else listed here).

    Raises:
        InputError: a ``--trusted-key`` or ``--tsa-ca`` file cannot be used (the
            verification cannot run as asked).
    """
    seal = _Seal(
        report,
        seal_path,
        seal_bytes,
        seal_doc,
        rel,
        options,
        custody_attachment_events(custody_path),
        tuple(
            sorted(
                files_beside(seal_path.parent).get(seal_path.name, ()) if beside is None else beside
            )
        ),
    )
    signature, fingerprint = _check_signature(seal)
    anchored = _check_tokens(seal)
    _check_unknown(seal)
    return AttachmentResult(signature, fingerprint, anchored)


def check_seal_trust(
    report: Report, seals: Sequence[tuple[str, AttachmentResult | None]], options: VerifyOptions
) -> None:
    """The trust rules across a chain of seals (docs/decisions/0405).

    Args:
        report: where findings go.
        seals: each seal file (as the report names it) in sequence order, with what its
            attachments established, or None when the seal could not be read (its own
            findings say why).
        options: the verifier's trust anchors.
    """
    first_signed: str | None = None
    for rel, result in seals:
        if result is None:
            continue
        if result.signature == "unsigned":
            if first_signed is not None:
                report.add(
                    "seal-trust",
                    "FAIL",
                    f"not signed, but {first_signed} before it is: once a case has a "
                    "signed seal, every later seal must be signed (an unsigned "
                    "re-seal?)",
                    path=rel,
                )
        elif first_signed is None:
            first_signed = rel
    if not options.trusted_keys and options.tsa_ca is None:
        return
    if not seals:
        report.add(
            "seal-trust", "FAIL", "the case has no seal, so nothing can be trusted", path="seals/"
        )
        return
    rel, latest = seals[-1]
    if options.trusted_keys:
        if latest is not None and latest.signature == "trusted":
            report.add("seal-trust", "PASS", rel)
        else:
            state = "unreadable" if latest is None else _STATE_WORDS[latest.signature]
            report.add(
                "seal-trust",
                "FAIL",
                f"the latest seal is not signed by a trusted key (its signature is {state})",
                path=rel,
            )
    if options.tsa_ca is not None:
        if latest is not None and latest.anchored:
            report.add("timestamp-trust", "PASS", rel)
        else:
            report.add(
                "timestamp-trust",
                "FAIL",
                "the latest seal carries no time-stamp token that checks and chains to --tsa-ca",
                path=rel,
            )


_STATE_WORDS: Mapping[SignatureState, str] = {
    "trusted": "by a trusted key",
    "valid": "valid but by a key not given with --trusted-key",
    "unchecked": "not checkable",
    "unsigned": "missing: the seal is not signed",
    "bad": "invalid",
}


# -- the signature ------------------------------------------------------------------------


def _embedded_key(seal: _Seal, fingerprint: str | None) -> PublicKey | Literal[False] | None:
    """The public key the seal embeds; None for an older seal without one; False when the
    embedded key is unusable or is not the key the fingerprint names (a FAIL is added)."""
    signer = seal.doc.get("signer")
    raw = signer.get("public_key") if isinstance(signer, Mapping) else None
    if not isinstance(raw, str):
        return None
    try:
        key = PublicKey.from_raw_hex(raw, source=seal.rel)
    except EvidenceError as exc:
        seal.report.add("seal-signer", "FAIL", exc.message, path=seal.rel)
        return False
    if key.fingerprint != fingerprint:
        seal.report.add(
            "seal-signer",
            "FAIL",
            f"the embedded public key has fingerprint {key.fingerprint}, the seal "
            f"names {fingerprint}",
            path=seal.rel,
        )
        return False
    return key


def _check_signature(seal: _Seal) -> tuple[SignatureState, str | None]:
    report, options = seal.report, seal.options
    sig_path = signature_path(seal.path)
    sig_rel = seal.rel_of(sig_path)
    signer = seal.doc.get("signer")
    fingerprint = signer.get("fingerprint") if isinstance(signer, Mapping) else None
    if not sig_path.exists():
        if fingerprint:
            report.add(
                "seal-signature",
                "FAIL",
                f"the seal names signing key {fingerprint} but {sig_rel} is missing",
                path=seal.rel,
            )
            return "bad", fingerprint
        if options.require_signature:
            report.add(
                "seal-signature",
                "FAIL",
                "the seal is not signed (--require-signature)",
                path=seal.rel,
            )
        return "unsigned", None
    report.count("signatures")
    try:
        signature = read_bytes(sig_path, what="signature")
    except EvidenceError as exc:
        report.add("seal-signature", "ERROR", exc.message, path=sig_rel)
        return "bad", fingerprint
    embedded = _embedded_key(seal, fingerprint)
    expected: dict[str, Any] = {"fingerprint": fingerprint} if fingerprint else {}
    event = seal.events.get(sig_path.name) if seal.events is not None else None
    if embedded is not None or (event is not None and "sha256" in event):
        # Seals with an embedded key log the signature file's digest (0405).
        expected["sha256"] = digest_bytes(signature).sha256
    _check_logged(seal, "signature-logged", sig_path, "signed", expected)
    if embedded is False:
        return "bad", fingerprint
    if len(signature) != SIGNATURE_LENGTH:
        report.add(
            "seal-signature",
            "FAIL",
            f"the signature is {len(signature)} bytes; an Ed25519 signature is {SIGNATURE_LENGTH}",
            path=sig_rel,
        )
        return "bad", fingerprint
    trusted = load_trusted_keys(options.trusted_keys)
    by = f" by key {fingerprint}" if fingerprint else ""
    if embedded is not None:
        if not embedded.verify(signature, seal.data):
            report.add(
                "seal-signature",
                "FAIL",
                f"the Ed25519 signature does not verify{by} (checked against the "
                "public key the seal embeds): the seal file or the signature was "
                "changed, or the signature belongs to another seal",
                path=sig_rel,
            )
            return "bad", fingerprint
        report.add("seal-signature", "PASS", sig_rel)
        return _check_pinned(seal, embedded.fingerprint, trusted, sig_rel), fingerprint
    # A seal made before public keys were embedded: checkable only against a trusted key.
    if not trusted:
        report.add(
            "seal-signature",
            "FAIL" if options.require_signature else "INFO",
            f"signed{by}; not checked: the seal does not embed its public key, so "
            "it is checkable only with --trusted-key",
            path=sig_rel,
        )
        return "unchecked", fingerprint
    if fingerprint:
        key = trusted.get(fingerprint)
        if key is None:
            report.add(
                "seal-signature",
                "FAIL",
                f"signed by key {fingerprint}, which is not among the trusted keys",
                path=sig_rel,
            )
            return "bad", fingerprint
        candidates = [key]
    else:
        candidates = list(trusted.values())
    if any(key.verify(signature, seal.data) for key in candidates):
        report.add("seal-signature", "PASS", sig_rel)
        return "trusted", fingerprint
    report.add(
        "seal-signature",
        "FAIL",
        f"the Ed25519 signature does not verify{by}: the seal file or the signature "
        "was changed, or the signature belongs to another seal",
        path=sig_rel,
    )
    return "bad", fingerprint


def _check_pinned(
    seal: _Seal, fingerprint: str, trusted: Mapping[Any, PublicKey], sig_rel: str
) -> SignatureState:
    """Trust in a signature that checks: is its key one the verifier pinned?"""
    report, options = seal.report, seal.options
    if fingerprint in trusted:
        report.add("seal-signer", "PASS", sig_rel)
        return "trusted"
    if trusted:
        report.add(
            "seal-signer",
            "FAIL",
            f"signed by key {fingerprint}, which is not among the trusted keys",
            path=sig_rel,
        )
        return "valid"
    report.add(
        "seal-signer",
        "FAIL" if options.require_signature else "INFO",
        f"the signature checks against key {fingerprint}, which is not pinned "
        "(give its public key with --trusted-key to trust it)",
        path=sig_rel,
    )
    return "valid"


def _check_logged(
    seal: _Seal, check: str, path: Path, action: str, expected: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The custody event naming ``path`` (None if there is none); a FAIL for each way it is
    missing or disagrees with the file."""
    if seal.events is None:
        return None
    rel = seal.rel_of(path)
    event = seal.events.get(path.name)
    if event is None or event.get("_action") != action:
        seal.report.add(
            check,
            "FAIL",
            f"no `{action}` event in the custody log names this file (written outside the tool?)",
            path=rel,
        )
        return None
    wanted = {"seal_sha256": seal.sha256, **expected}
    wrong = [key for key, value in wanted.items() if event.get(key) != value]
    for key in wrong:
        seal.report.add(
            check,
            "FAIL",
            f"the custody log's `{action}` event gives {key} "
            f"{event.get(key)}, the file has {wanted[key]}",
            path=rel,
        )
    if not wrong:
        seal.report.add(check, "PASS", rel)
    return event


# -- the time-stamp tokens --------------------------------------------------------------


def _check_tokens(seal: _Seal) -> bool:
    """Check every token beside the seal; True when one is anchored to ``--tsa-ca``."""
    report, options = seal.report, seal.options
    roots: list[x509.Certificate] | None = None
    if options.tsa_ca is not None:
        roots = load_certificates(options.tsa_ca, what="--tsa-ca file")
    anchored = 0
    tokens = token_paths(seal.path, seal.beside)
    for _, token_path in tokens:
        report.count("time-stamp tokens")
        if _check_token(seal, token_path, roots):
            anchored += 1
    if options.require_timestamp and not anchored:
        if not tokens:
            message = "the seal has no time-stamp token (--require-timestamp)"
        elif roots is None:
            message = (
                "the time-stamp tokens cannot be anchored without a trusted root: "
                "give --tsa-ca (--require-timestamp)"
            )
        else:
            message = "no time-stamp token checks and chains to --tsa-ca (--require-timestamp)"
        report.add("timestamp-token", "FAIL", message, path=seal.rel)
    return anchored > 0


def _check_token(seal: _Seal, token_path: Path, roots: list[x509.Certificate] | None) -> bool:
    """Check one token; True when every check passed and it is anchored to a trusted root."""
    report = seal.report
    rel = seal.rel_of(token_path)
    try:
        data = read_bytes(token_path, what="time-stamp token")
    except EvidenceError as exc:
        report.add("timestamp-token", "ERROR", exc.message, path=rel)
        return False
    # The logged digest first: a file that is not the token the custody log names is said
    # to be so whether or not it parses (the one-file verifier names the same checks).
    before = len(report.problems())
    event = _check_logged(
        seal, "timestamp-logged", token_path, "timestamped", {"sha256": digest_bytes(data).sha256}
    )
    logged_ok = len(report.problems()) == before
    chain: list[x509.Certificate] = []
    chain_file = chain_path(token_path)
    if chain_file.exists():
        try:
            chain = load_certificates(chain_file, what="certificate chain")
        except EvidenceError as exc:
            report.add("timestamp-chain", "FAIL", exc.message, path=seal.rel_of(chain_file))
            report.add(
                "timestamp-signature",
                "FAIL",
                "not checked: the stored certificate chain cannot be read",
                path=rel,
            )
            return False
    try:
        token = parse_token(data, path=rel, chain=chain)
    except TimestampError as exc:
        report.add("timestamp-token", "FAIL", exc.message, path=rel)
        return False
    report.add("timestamp-token", "PASS", rel)
    chain_ok = _check_chain_file(seal, token, chain_file, chain)
    imprint_ok = token.imprint_matches(seal.data)
    if imprint_ok:
        report.add("timestamp-imprint", "PASS", rel)
    else:
        report.add(
            "timestamp-imprint",
            "FAIL",
            f"the token time-stamps other data: its {token.hash_name} imprint "
            f"{token.imprint.hex()[:16]}… is not that of {seal.rel}",
            path=rel,
        )
    ok = _check_root(seal, token, token_path, event, roots) and logged_ok
    if seal.events is None:
        report.add("timestamp-nonce", "INFO", "nonce not checked: no custody log at hand", path=rel)
    elif event is not None:
        if event.get("nonce") == str(token.nonce):
            report.add("timestamp-nonce", "PASS", rel)
        else:
            ok = False
            report.add(
                "timestamp-nonce",
                "FAIL",
                f"the token's nonce {token.nonce} is not the one asked for "
                f"({event.get('nonce')}): a replayed or foreign token",
                path=rel,
            )
    checked = check_signature(token, roots)
    status = {"anchored": "PASS", "invalid": "FAIL"}.get(checked.status, "INFO")
    report.add(
        "timestamp-signature",
        status,  # type: ignore[arg-type]
        checked.message,
        path=rel,
    )
    early = check_not_before_seal(token, str(seal.doc["sealed_at"]), seal.options.clock_skew)
    if early:
        ok = False
        report.add("timestamp-time", "FAIL", early, path=rel)
    else:
        report.add(
            "timestamp-time",
            "INFO",
            f"time-stamped at {token.gen_time.isoformat().replace('+00:00', 'Z')} "
            f"by {token.tsa_name} (serial {token.serial})",
            path=rel,
        )
    return ok and imprint_ok and chain_ok and checked.status == "anchored"


def _check_chain_file(
    seal: _Seal, token: Token, chain_file: Path, chain: Sequence[x509.Certificate]
) -> bool:
    """The stored chain is the one the token names (``timestamp-chain``).

    When the token embeds its certificates, the chain file holds exactly those; when it
    does not (asked again without certReq, docs/decisions/0402), the chain file starts
    with the certificate the token's SignerInfo names and each further certificate issued
    the one before. When the custody log recorded the chain file's SHA-256, it must match.
    """
    report = seal.report
    rel = seal.rel_of(chain_file)
    problems: list[str] = []
    token_name = chain_file.name.replace(".chain.pem", ".tsr")
    event = seal.events.get(token_name) if seal.events is not None else None
    if event is not None and "chain_sha256" in event:
        try:
            digest = digest_bytes(read_bytes(chain_file, what="certificate chain")).sha256
        except EvidenceError as exc:
            report.add("timestamp-chain", "FAIL", exc.message, path=rel)
            return False
        if digest != event["chain_sha256"]:
            problems.append(
                f"its SHA-256 is {digest}, the custody log's `timestamped` event "
                f"recorded {event['chain_sha256']}"
            )
    stored = [_der(c) for c in chain]
    if token.certs_in_token:
        embedded = {bytes(d) for d in token.response.signed_data.certificates}
        if set(stored) != embedded:
            problems.append(
                "it does not hold the certificates the token embeds (a swapped "
                "or added certificate)"
            )
    elif not chain or token.signer is None or stored[0] != _der(token.signer):
        problems.append("it does not start with the certificate the token's SignerInfo names")
    else:
        for child, parent in itertools.pairwise(chain):
            if child.issuer != parent.subject:
                problems.append(
                    f"{parent.subject.rfc4514_string()} did not issue "
                    f"{child.subject.rfc4514_string()}: not a certificate path"
                )
                break
    for problem in problems:
        report.add("timestamp-chain", "FAIL", f"not the chain the token names: {problem}", path=rel)
    if not problems:
        report.add("timestamp-chain", "PASS", rel)
    return not problems


def _check_root(
    seal: _Seal,
    token: Token,
    token_path: Path,
    event: Mapping[str, Any] | None,
    given: Sequence[x509.Certificate] | None,
) -> bool:
    """The root stored at stamp time (``timestamp-root``); information, never trust.

    It must have the SHA-256 the ``timestamped`` event recorded (a replaced root), an
    event must name it (an added one), and the token must chain to it. Whether it is one
    of ``--tsa-ca``'s certificates is reported (INFO): only ``--tsa-ca`` anchors a token.
    """
    report = seal.report
    root_file = root_path(token_path)
    rel = seal.rel_of(root_file)
    logged = event.get("root_sha256") if event is not None else None
    if not (root_file.exists() or root_file.is_symlink()):
        if logged is not None:
            report.add(
                "timestamp-root",
                "FAIL",
                f"the custody log's `timestamped` event recorded a root file "
                f"(root_sha256 {logged}), which is missing",
                path=rel,
            )
            return False
        return True
    try:
        data = read_bytes(root_file, what="stored TSA root")
        certs = load_certificates(root_file, what="stored TSA root")
    except EvidenceError as exc:
        report.add("timestamp-root", "FAIL", exc.message, path=rel)
        return False
    digest = digest_bytes(data).sha256
    if seal.events is None:
        report.add(
            "timestamp-root",
            "INFO",
            "the stored root's SHA-256 is not checked: no custody log at hand",
            path=rel,
        )
    elif logged is None:
        report.add(
            "timestamp-root",
            "FAIL",
            "a root file that no `timestamped` event of the "
            "custody log names (added outside the tool?)",
            path=rel,
        )
        return False
    elif digest != logged:
        report.add(
            "timestamp-root",
            "FAIL",
            f"its SHA-256 is {digest}, the custody log's `timestamped` event recorded "
            f"{logged}: not the root stored at stamp time",
            path=rel,
        )
        return False
    if check_signature(token, certs).status != "anchored":
        report.add(
            "timestamp-root",
            "FAIL",
            "the token does not chain to the root stored beside it",
            path=rel,
        )
        return False
    ders = {_der(c) for c in given or ()}
    fingerprint = certs[0].fingerprint(hashes.SHA256()).hex(":").upper()
    who = f"{certs[0].subject.rfc4514_string()}, SHA256 Fingerprint={fingerprint}"
    if seal.events is not None:
        report.add("timestamp-root", "PASS", rel)
    if given is None:
        message = (
            f"chains to the root stored at stamp time ({who}); not a trust decision: "
            "compare the fingerprint with the one the TSA publishes, then give it "
            "as --tsa-ca"
        )
    elif any(_der(c) in ders for c in certs):
        message = f"the root stored at stamp time is the one given with --tsa-ca ({who})"
    else:
        message = (
            f"the root stored at stamp time ({who}) is not among --tsa-ca's "
            "certificates; only --tsa-ca decides trust"
        )
    report.add("timestamp-root", "INFO", message, path=rel)
    return True


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def files_beside(folder: Path) -> Mapping[str, tuple[str, ...]]:
    """The files of a seals folder that sit beside a seal (``0001.json.1.tsr``…), by the
    seal file's name (``0001.json``): one listing for every seal of a chain."""
    found: dict[str, list[str]] = {}
    try:
        names = [entry.name for entry in folder.iterdir()]
    except OSError:
        return {}
    for name in names:
        seal, dot, rest = name.partition(".json.")
        if dot and rest:
            found.setdefault(seal + ".json", []).append(name)
    return {seal: tuple(sorted(group)) for seal, group in found.items()}


def _check_unknown(seal: _Seal) -> None:
    prefix = seal.path.name
    for name in seal.beside:
        entry = seal.path.with_name(name)
        if not name.startswith(prefix + ".") or _KNOWN.match(name[len(prefix) :]):
            for suffix, check, what in _TOKEN_COMPANIONS:
                if (
                    name.startswith(prefix + ".")
                    and name.endswith(suffix)
                    and name.removesuffix(suffix) + ".tsr" not in seal.beside
                ):
                    seal.report.add(
                        check,
                        "FAIL",
                        f"a {what} beside no time-stamp token",
                        path=seal.rel_of(entry),
                    )
            continue
        seal.report.add(
            "seal-attachment",
            "FAIL",
            "a file beside the seal that is neither a signature nor a time-stamp "
            "token; the case folder is a closed world",
            path=seal.rel_of(entry),
        )
