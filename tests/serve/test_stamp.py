"""The Seal button with a time-stamping authority and its root (`serve --tsa --tsa-ca`),
over real HTTP against a real RFC 3161 authority (openssl) on 127.0.0.1."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from evidence.integrity.timestamp import load_certificates
from evidence.serve import ServeConfig
from evidence.serve.server import Server, bind
from evidence.verify import VerifyOptions, verify_case
from tests.serve.conftest import TOKEN
from tests.support.tsa import TestTSA, have_openssl


def _enter(client: httpx.Client) -> str:
    assert client.get(f"/?token={TOKEN}").status_code == 303
    page = client.get("/sources/SRC-0001").text
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def _finished(client: httpx.Client, location: str) -> tuple[str, str]:
    """The job's verdict line ("Done", "Done: NOT OK", "Failed") and its page."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        page = client.get(location).text
        found = re.search(r'id="job-result">\s*([^<]*?) in [0-9.]+ s', page)
        if found:
            return found.group(1).strip(), page
        time.sleep(0.2)
    raise AssertionError(f"{location} did not finish")


def test_the_seal_button_keeps_the_tsa_root_and_verify_requires_it(
    team_case: Path, tmp_path: Path
) -> None:
    if not have_openssl():
        pytest.skip("the openssl command is not installed")
    with TestTSA(tmp_path / "tsa") as tsa:
        sock = bind("127.0.0.1", 0)
        config = ServeConfig(
            team_case,
            token=TOKEN,
            port=sock.getsockname()[1],
            actor="tester",
            tsa_urls=(tsa.url(),),
            tsa_ca=tsa.ca_pem,
        )
        server = Server(config, sock)
        server.start()
        try:
            with httpx.Client(base_url=server.base, follow_redirects=False) as client:
                csrf = _enter(client)
                sealed = client.post("/seal", data={"csrf": csrf})
                assert sealed.status_code == 303
                verdict, page = _finished(client, sealed.headers["location"])
                assert verdict == "Done"
                assert "time-stamped by" in page
                checked = client.post("/verify", data={"csrf": csrf})
                verdict, page = _finished(client, checked.headers["location"])
                assert verdict == "Done", page
        finally:
            server.stop()
    roots = sorted((team_case / "seals").glob("*.root.pem"))
    assert [p.name for p in roots] == ["0002.json.1.root.pem"]
    stored = load_certificates(roots[0], what="stored root")
    assert stored == load_certificates(tsa.ca_pem, what="test root")
    # The stored root is the one given, and a verifier that requires it finds the token.
    report = verify_case(team_case, options=VerifyOptions(tsa_ca=tsa.ca_pem))
    assert report.ok, [f for f in report.problems()]
    roots_found = [f for f in report.findings if f.check == "timestamp-root"]
    assert roots_found, "the stored root was not looked at"
    assert all("is the one given with --tsa-ca" in f.message for f in roots_found)
