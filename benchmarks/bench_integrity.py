"""Benchmarks of issue 4: signatures, time-stamps, inclusion proofs, selective disclosure.

Usage::

    python benchmarks/bench_integrity.py                 # a case of about 5,000 records
    python benchmarks/bench_integrity.py --claims 20000  # a larger one

Builds a case with the seed article and ``--claims`` claims (the example's claims repeated
under new keys: texts the team wrote), seals it with a key, and times in-process library
calls (``time.perf_counter``, best of a few runs):

- sign: Ed25519 over the seal file (which grows with the case: one leaf a record);
- seal-signature check and the whole attachments check of one seal (what ``verify`` adds);
- time-stamp: a round trip to a real local TSA (``openssl ts -reply`` on 127.0.0.1, so
  mostly the cost of starting openssl), and the check of a stored token;
- proof: ``evidence proof`` for one record (reads every record file of the seal once)
  and its check;
- disclose: ten records with proofs against two seals, and ``verify`` of the result.

Prints one line per figure. No timed assertions: these are measurements.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence.case import Case
from evidence.integrity.disclose import disclose
from evidence.integrity.proof import build_proof, check_proof, load_seal
from evidence.integrity.seal import seal_case
from evidence.integrity.sign import SigningKey
from evidence.integrity.timestamp import (
    check_signature,
    load_certificates,
    parse_token,
    request_token,
    stamp_seal,
)
from evidence.report import Report
from evidence.verify import VerifyOptions
from evidence.verify.attachments import check_seal_attachments
from evidence.verify.partial import verify_partial_case
from tests.support.cases import build_case
from tests.support.fixtures import write_key_files
from tests.support.tsa import TestTSA


def best(runs: int, work: Callable[[], object]) -> float:
    """The best wall time of ``runs`` runs, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def grow(case: Case, claims: int, key: SigningKey) -> None:
    """Add claims (the example's, under new keys) until the case holds about ``claims``."""
    base = (case.claims_dir / "SRC-0001.yaml").read_text(encoding="utf-8")
    head, _, body = base.partition("claims:\n")
    per_copy = base.count("- key: ")
    copies = max(0, claims // per_copy - 1)
    text = (
        head
        + "claims:\n"
        + "".join(body.replace("- key: ", f"- key: c{n}-") for n in range(copies))
    )
    (case.claims_dir / "more.yaml").write_text(text, encoding="utf-8")
    seal_case(case, actor="bench", key=key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        keys = write_key_files(work)
        with TestTSA(work / "tsa") as tsa:
            start = time.perf_counter()
            case = build_case(work / "case", key=keys.key)
            grow(case, args.claims, keys.key)
            sealed = load_seal(case)
            print(
                f"setup: case of {sealed.seal.size} records, 2 signed seals, "
                f"{time.perf_counter() - start:.1f} s"
            )
            print(f"seal file: {len(sealed.data) / 1e6:.2f} MB")
            sign = best(5, lambda: keys.key.sign(sealed.data))
            print(f"sign (Ed25519 over the seal file): {sign * 1e3:.2f} ms")
            check = (
                best(5, lambda: keys.key.public.verify(keys.key.sign(sealed.data), sealed.data))
                - sign
            )
            print(f"signature check: {check * 1e3:.2f} ms")

            stamp = best(5, lambda: request_token(sealed.data, tsa.url("signer")))
            print(f"time-stamp round trip (local openssl TSA): {stamp * 1e3:.1f} ms")
            refetch = best(3, lambda: request_token(sealed.data, tsa.url("chain")))
            print(f"time-stamp round trip, non-DER answer asked again: {refetch * 1e3:.1f} ms")
            stamp_seal(case, tsa_urls=[tsa.url("signer"), tsa.url("chain")], actor="bench")
            token_file = case.seals_dir / f"{sealed.seal.filename}.1.tsr"
            roots = load_certificates(tsa.ca_pem)
            token = parse_token(
                token_file.read_bytes(),
                path="t",
                chain=load_certificates(token_file.with_name(token_file.name[:-4] + ".chain.pem")),
            )
            parse = best(20, lambda: parse_token(token_file.read_bytes(), path="t"))
            anchored = best(20, lambda: check_signature(token, roots))
            print(
                f"token parse: {parse * 1e3:.2f} ms; signature and chain check: "
                f"{anchored * 1e3:.2f} ms"
            )
            options = VerifyOptions(trusted_keys=(keys.public,), tsa_ca=tsa.ca_pem)
            doc = sealed.seal.to_dict()
            attachments = best(
                3,
                lambda: check_seal_attachments(
                    Report(),
                    sealed.path,
                    sealed.data,
                    doc,
                    options,
                    rel="seals/x",
                    custody_path=case.custody.path,
                ),
            )
            print(
                f"attachments check of one seal (signature + 2 tokens + custody index): "
                f"{attachments * 1e3:.1f} ms"
            )

            last = sealed.seal.leaves[-1].id
            proof = best(3, lambda: build_proof(case, last))
            built = build_proof(case, last)
            print(
                f"proof of one record (reads {sealed.seal.size} record files): "
                f"{proof * 1e3:.0f} ms; audit path of {len(built.audit_path)} hashes"
            )
            seal_bytes = sealed.data
            checked = best(20, lambda: check_proof(built, Report(), seal_data=seal_bytes))
            print(f"proof check against the seal file: {checked * 1e3:.2f} ms")

            shown = [leaf.id for leaf in sealed.seal.leaves[:: max(1, sealed.seal.size // 10)]]
            shown = list(dict.fromkeys(shown))[:10]
            out = work / "public"
            start = time.perf_counter()
            disclose(case, shown, out, actor="bench")
            took = time.perf_counter() - start
            print(f"disclose {len(shown)} of {sealed.seal.size} records (2 seals): {took:.2f} s")
            start = time.perf_counter()
            report = verify_partial_case(out, options=options)
            took = time.perf_counter() - start
            print(f"verify the partial case: {took:.2f} s, ok={report.ok}")


if __name__ == "__main__":
    main()
