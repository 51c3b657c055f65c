"""RFC 3161 time-stamps against a real TSA (``openssl ts -reply`` on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import time
from pathlib import Path

import pytest
from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

from evidence.case import Case
from evidence.errors import UsageError
from evidence.integrity.timestamp import (
    TimestampError,
    chain_path,
    chain_pem,
    check_signature,
    load_certificates,
    parse_token,
    request_token,
    stamp_seal,
    token_paths,
)
from tests.support.cases import build_case
from tests.support.tsa import TestTSA, free_port, make_ca

MESSAGE = b'{"schema":"evidence/seal/1","sequence":1}\n'


def _openssl_verify(
    data_file: Path, token: Path, ca: Path, chain: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-data",
            str(data_file),
            "-in",
            str(token),
            "-CAfile",
            str(ca),
            "-untrusted",
            str(chain),
        ],
        capture_output=True,
        text=True,
    )


# mode, refetched, certificates in the token, signature status without a trusted root
SHAPES = [
    ("signer", False, True, "unchecked"),
    ("chain", True, False, "unanchored"),
    ("chain-sorted", False, True, "unanchored"),
]


@pytest.mark.parametrize(
    ("mode", "refetched", "in_token", "unanchored"), SHAPES, ids=[s[0] for s in SHAPES]
)
def test_each_response_shape_is_handled_and_checks_with_openssl(
    tsa: TestTSA, tmp_path: Path, mode: str, refetched: bool, in_token: bool, unanchored: str
) -> None:
    reply = request_token(MESSAGE, tsa.url(mode), timeout=10)
    token = reply.token
    assert reply.refetched is refetched
    assert token.certs_in_token is in_token
    assert token.imprint_matches(MESSAGE)
    assert not token.imprint_matches(MESSAGE + b" ")
    assert token.nonce == reply.nonce
    assert token.hash_name == "sha256"
    assert token.signer is not None
    assert "evidence test TSA" in token.tsa_name
    assert abs(token.gen_time - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=2)
    assert check_signature(token, None).status == unanchored
    roots = load_certificates(tsa.ca_pem)
    assert check_signature(token, roots).status == "anchored"
    other_root, _ = make_ca("some other root")
    assert check_signature(token, [other_root]).status == "invalid"
    # What would be stored checks with the stock tool.
    data_file = tmp_path / "seal.json"
    data_file.write_bytes(MESSAGE)
    token_file = tmp_path / "seal.json.1.tsr"
    token_file.write_bytes(token.data)
    chain = chain_path(token_file)
    chain.write_bytes(chain_pem(token.certificates))
    out = _openssl_verify(data_file, token_file, tsa.ca_pem, chain)
    assert out.returncode == 0, out.stderr
    assert "Verification: OK" in out.stdout
    data_file.write_bytes(MESSAGE + b"x")
    assert _openssl_verify(data_file, token_file, tsa.ca_pem, chain).returncode != 0


def test_the_trap_shape_is_rejected_by_the_strict_parser(tsa: TestTSA) -> None:
    request = (
        TimestampRequestBuilder()
        .data(MESSAGE)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    raw = tsa.reply("chain", request.as_bytes())
    with pytest.raises(TimestampError, match="not in DER order"):
        parse_token(raw, path="reply.tsr")
    sorted_raw = tsa.reply("chain-sorted", request.as_bytes())
    assert len(parse_token(sorted_raw, path="reply.tsr").certificates) == 2


BAD_AUTHORITIES = [
    ("reject", "refused the request (PKIStatus 2 rejection"),
    ("other", "token is for other data"),
    ("foreign-nonce", "nonce is not the request's"),
    ("garbage", "not a time-stamp reply (37 bytes of text/html)"),
    ("error", "answered HTTP 500"),
    ("slow", "no complete answer in time"),
]


@pytest.mark.parametrize(("mode", "message"), BAD_AUTHORITIES, ids=[b[0] for b in BAD_AUTHORITIES])
def test_bad_authorities_give_a_clear_error(tsa: TestTSA, mode: str, message: str) -> None:
    started = time.monotonic()
    with pytest.raises(TimestampError, match=re.escape(message)) as info:
        request_token(MESSAGE, tsa.url(mode), timeout=1.0)
    assert time.monotonic() - started < 2.5  # the timeout bounds the whole exchange
    assert tsa.url(mode) in str(info.value)


def test_an_authority_that_is_down(tsa: TestTSA) -> None:
    url = f"http://127.0.0.1:{free_port()}/tsr"
    with pytest.raises(TimestampError, match="cannot reach the TSA"):
        request_token(MESSAGE, url, timeout=1.0)


@pytest.mark.parametrize(
    "url",
    ["ftp://tsa.example/", "file:///etc/passwd", "tsa.example", "http:///x"],
    ids=["ftp", "file", "no-scheme", "no-host"],
)
def test_only_http_urls(url: str) -> None:
    with pytest.raises(UsageError, match="not an http"):
        request_token(MESSAGE, url)


TRUNCATIONS = [("empty", 0), ("header", 4), ("half", 2), ("all-but-one", -1)]


@pytest.mark.parametrize("cut", [t[1] for t in TRUNCATIONS], ids=[t[0] for t in TRUNCATIONS])
def test_truncated_tokens(tsa: TestTSA, cut: int) -> None:
    data = request_token(MESSAGE, tsa.url("signer")).token.data
    end = len(data) // 2 if cut == 2 else (len(data) - 1 if cut == -1 else cut)
    with pytest.raises(TimestampError, match="not an RFC 3161"):
        parse_token(data[:end], path="x.tsr")


# -- stamping a seal ----------------------------------------------------------------------


def test_stamp_stores_tokens_beside_the_seal_and_logs_them(tsa: TestTSA, tmp_path: Path) -> None:
    case = build_case(tmp_path / "case")
    seal_file = case.seals_dir / "0001.json"
    before = seal_file.read_bytes()
    result = stamp_seal(case, tsa_urls=[tsa.url("signer"), tsa.url("chain")], actor="tester")
    assert result.failures == []
    assert [p.name for _, p in token_paths(seal_file)] == ["0001.json.1.tsr", "0001.json.2.tsr"]
    assert seal_file.read_bytes() == before  # never a rewrite of the seal
    events = [line.data for line in case.custody.lines()][-2:]
    assert [e["action"] for e in events] == ["timestamped", "timestamped"]
    for n, event in enumerate(events, start=1):
        token_file = case.seals_dir / f"0001.json.{n}.tsr"
        token = parse_token(
            token_file.read_bytes(), path="t", chain=load_certificates(chain_path(token_file))
        )
        assert event["details"]["file"] == f"seals/0001.json.{n}.tsr"
        assert event["details"]["nonce"] == str(token.nonce)
        assert event["details"]["tsa"].endswith(("/signer", "/chain"))
        out = _openssl_verify(seal_file, token_file, tsa.ca_pem, chain_path(token_file))
        assert out.returncode == 0, out.stderr
    again = stamp_seal(case, tsa_urls=[tsa.url("signer")], actor="tester")
    assert again.stamped[0].path.name == "0001.json.3.tsr"


def test_a_failing_authority_writes_nothing_and_the_others_still_run(
    tsa: TestTSA, tmp_path: Path
) -> None:
    case = build_case(tmp_path / "case")
    lines = case.custody.path.read_bytes()
    down = f"http://127.0.0.1:{free_port()}/tsr"
    result = stamp_seal(
        case, tsa_urls=[down, tsa.url("garbage"), tsa.url("signer")], actor="tester", timeout=1.0
    )
    assert [url for url, _ in result.failures] == [down, tsa.url("garbage")]
    assert [s.path.name for s in result.stamped] == ["0001.json.1.tsr"]
    assert case.custody.path.read_bytes().startswith(lines)
    assert sorted(p.name for p in case.seals_dir.iterdir()) == [
        "0001.json",
        "0001.json.1.chain.pem",
        "0001.json.1.tsr",
    ]


def test_a_token_earlier_than_the_seal_is_refused(tsa: TestTSA, tmp_path: Path) -> None:
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    case = build_case(tmp_path / "case", now=ahead)
    result = stamp_seal(case, tsa_urls=[tsa.url("signer")], actor="tester")
    assert len(result.failures) == 1
    assert "precedes the seal's sealed_at" in str(result.failures[0][1])
    assert token_paths(case.seals_dir / "0001.json") == []
    relaxed = stamp_seal(case, tsa_urls=[tsa.url("signer")], actor="tester", clock_skew=2 * 86400)
    assert relaxed.failures == []


@pytest.mark.parametrize(
    ("sequence", "message"),
    [(None, "no seal yet"), (3, "no seal 3")],
    ids=["unsealed-case", "no-such-seal"],
)
def test_stamp_needs_a_seal(
    tsa: TestTSA, tmp_path: Path, new_case: Case, sequence: int | None, message: str
) -> None:
    case = new_case if sequence is None else build_case(tmp_path / "sealed")
    with pytest.raises(UsageError, match=message):
        stamp_seal(case, tsa_urls=[tsa.url("signer")], sequence=sequence)
