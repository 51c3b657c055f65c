"""The issue's scenarios in real Chromium (Debian's /usr/bin/chromium, driven by
Playwright) against a real server on 127.0.0.1."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evidence.check import check_case
from tests.serve.conftest import Served

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # a foreign name that resolves to this machine, as in DNS rebinding
    "--host-resolver-rules=MAP rebind.example 127.0.0.1",
]
FLAG = (
    "window.__pwned = 'none'; window.addEventListener('securitypolicyviolation', "
    "e => { window.__violations = (window.__violations || 0) + 1; });"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, served: Served) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(FLAG)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    pg.on("dialog", lambda d: pytest.fail(f"a dialog opened: {d.message}"))
    pg.goto(served.url())
    yield pg
    context.close()


def _select(page: Any, phrase: str) -> None:
    """Select ``phrase`` in the source text as a user would with the mouse."""
    page.evaluate(
        """phrase => {
        const text = document.getElementById('text');
        const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
            const at = node.data.indexOf(phrase);
            if (at >= 0) {
                const range = document.createRange();
                range.setStart(node, at); range.setEnd(node, at + phrase.length);
                const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
                return;
            }
        }
        throw new Error('phrase not in one text node: ' + phrase);
    }""",
        phrase,
    )


def test_demo_case_shows_its_highlights_and_a_claim(page: Any, served: Served) -> None:
    page.goto(served.base + "/sources/SRC-0001")
    assert page.locator("#text a.hl.sealed").count() >= 16
    page.get_by_text("the enemy has launched more than 40 missiles").first.click()
    panel = page.locator("article.claim:target")
    assert panel.is_visible()
    assert "More than 40 missiles" in panel.inner_text()
    assert "UKR-OKH-" in panel.inner_text()
    assert "CLM-0001.1" in panel.inner_text()


def test_a_ukrainian_selection_becomes_a_claim_that_check_accepts(
    page: Any, served: Served
) -> None:
    page.goto(served.base + "/sources/SRC-0002")
    phrase = "ворог запустив понад 40 ракет по Україні"
    _select(page, phrase)
    playwright.expect(page.locator("#sel-end")).not_to_have_value("")
    assert phrase in page.locator("#sel-quote").inner_text()
    page.fill("textarea[name=statement]", "Понад 40 ракет було запущено по Україні.")
    page.fill("input[name=who0]", "Міністр оборони")
    page.select_option("select[name=category]", "attack")
    page.click("#add-claim")
    page.wait_for_url(re.compile(r"/sources/SRC-0002#claim-"))
    assert page.locator("#text a.hl.pending").inner_text() == phrase
    text = (served.root / "claims" / "SRC-0002.yaml").read_text(encoding="utf-8")
    assert f"quote: {phrase}" in text  # taken from the text, never retyped
    report = check_case(served.root)
    assert report.ok, [str(f) for f in report.findings]


def test_a_suggestion_is_accepted_into_the_claims_file(page: Any, served: Served) -> None:
    page.goto(served.base + "/sources/SRC-0002")
    page.get_by_role("button", name="Suggest claims").click()
    page.wait_for_url(re.compile(r"/suggestions$"))
    first = page.locator("article.suggestion").first
    key = first.locator("h2 bdi").inner_text()
    assert "Why:" in first.inner_text()
    first.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    accepted = (served.root / "claims" / "SRC-0002.yaml").read_text(encoding="utf-8")
    assert f"key: {key}" in accepted
    assert "why:" not in accepted
    left = (served.root / "claims" / "SRC-0002.suggested.yaml").read_text(encoding="utf-8")
    assert f"key: {key}" not in left
    assert check_case(served.root).ok


def _run_job(page: Any, served: Served, button: str) -> str:
    page.goto(served.base + "/")
    page.get_by_role("button", name=button).click()
    page.wait_for_selector("#job-result", timeout=60_000)
    return str(page.locator("main").inner_text())


def test_seal_verify_render_from_the_page_agree_with_the_command_line(
    page: Any, served: Served
) -> None:
    sealed = _run_job(page, served, "Seal")
    assert "Done" in sealed, sealed
    assert "sequence 2" in sealed, sealed
    verified = _run_job(page, served, "Verify")
    assert "Done" in verified, verified
    assert "NOT OK" not in verified, verified
    rendered = _run_job(page, served, "Render dossier")
    assert "seal-0002" in rendered, rendered
    link = page.get_by_role("link", name=re.compile("seal-0002-icc-otp.pdf"))
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    cli = subprocess.run(
        [sys.executable, "-m", "evidence", "verify", str(served.root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    page.goto(served.base + "/")
    assert "OK" in page.locator(".verdict").inner_text()


def test_the_hostile_article_executes_nothing(page: Any, served: Served) -> None:
    for path in (
        "/sources/SRC-0003",
        "/sources",
        "/",
        "/custody",
        "/files/SRC-0003.yaml",
        "/sources/SRC-0003#claim-hostile-shelling-pending",
    ):
        page.goto(served.base + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned") == "none", path
        assert page.locator("main script, main img, main svg, main iframe").count() == 0
    page.goto(served.base + "/sources/SRC-0003#claim-hostile-shelling-pending")
    body = page.locator("main").inner_text()
    assert '<script>window.__pwned = "script"</script>' in body
    assert "<img src=x onerror=" in body
    page.locator("#text").get_by_text("a link").first.click()
    assert page.evaluate("window.__pwned") == "none"
    assert page.locator("span.bidi[data-cp='U+202E']").count() == 1
    assert page.evaluate("window.__violations || 0") == 0


def test_no_token_or_a_foreign_host_is_refused(browser: Any, served: Served) -> None:
    context = browser.new_context()
    pg = context.new_page()
    response = pg.goto(served.base + "/sources/SRC-0001")
    assert response.status == 403
    assert "token" in pg.content()
    port = served.base.rsplit(":", 1)[1]
    response = pg.goto(f"http://rebind.example:{port}/?token={served.server.config.token}")
    assert response.status == 403
    assert "Host" in pg.content()
    context.close()


def test_a_command_line_writer_makes_the_page_say_busy(page: Any, served: Served) -> None:
    page.goto(served.base + "/sources/SRC-0002")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom pathlib import Path\n"
            "from evidence.case import Case\n"
            "with Case.open(Path(sys.argv[1])).lock():\n"
            "    print('locked', flush=True); time.sleep(60)\n",
            str(served.root),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        _select(page, "щонайменше 27 людей")
        playwright.expect(page.locator("#sel-end")).not_to_have_value("")
        page.fill("textarea[name=statement]", "At least 27 people were killed in Kyiv.")
        page.click("#add-claim")
        assert "busy" in page.locator("main").inner_text()
        assert not (served.root / "claims" / "SRC-0002.yaml").exists()
    finally:
        holder.kill()
        holder.wait()
    page.go_back()
    page.click("#add-claim")
    page.wait_for_url(re.compile(r"#claim-"))
    assert (served.root / "claims" / "SRC-0002.yaml").exists()


def test_a_file_changed_on_disk_is_refused_with_the_difference(page: Any, served: Served) -> None:
    page.goto(served.base + "/files/SRC-0001.yaml")
    path = served.root / "claims" / "SRC-0001.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "# changed by a text editor\n", encoding="utf-8"
    )
    page.fill("#content", "source: SRC-0001\nclaims: []\n")
    page.get_by_role("button", name="Save").click()
    main = page.locator("main").inner_text()
    assert "changed on disk" in main
    assert "+# changed by a text editor" in main
    assert path.read_text(encoding="utf-8").endswith("# changed by a text editor\n")


def test_keyboard_only(page: Any, served: Served) -> None:
    page.goto(served.base + "/sources/SRC-0002")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    text = (served.root / "objects").exists()  # the text is read from the page itself
    assert text
    quote = "Удару зазнала дитяча лікарня «Охматдит»"
    whole = page.evaluate("Array.from(document.getElementById('text').textContent)")
    start = "".join(whole).index(quote)
    page.focus("#sel-start")
    page.keyboard.type(str(start))
    page.keyboard.press("Tab")
    page.keyboard.type(str(start + len(quote)))
    page.keyboard.press("Tab")
    assert quote in page.locator("#sel-quote").inner_text()
    page.keyboard.type("The Okhmatdyt children's hospital was hit.")
    page.focus("#add-claim")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#claim-"))
    # The new highlight is a link: Tab reaches it and Enter opens its claim.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('hl')"):
            break
    page.keyboard.press("Enter")
    assert page.locator("article.claim:target").is_visible()
    assert os.path.exists(served.root / "claims" / "SRC-0002.yaml")
    assert check_case(served.root).ok
    time.sleep(0)
