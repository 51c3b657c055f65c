"""Checks over the chain of seals as a whole, shared by every verifier of seals.

- ``seal-pin``: the chain reaches what the verifier pinned from outside (``--expect-root``:
  some seal has that root; ``--min-seal``: the latest seal is at least that sequence).
  A rollback (the last seal, its records and custody lines deleted consistently) leaves
  a case that is whole from inside; only a pin from outside can show it, which is why
  every report names the latest seal (:func:`latest_seal_facts`).

Example:
    >>> report = Report()
    >>> check_pins(report, [(1, "ab" * 32)], VerifyOptions(min_seal=2), rel="seals/0001.json")
    >>> [f.check for f in report.problems()]
    ['seal-pin']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evidence.digest import digest_bytes
from evidence.report import Report
from evidence.verify.options import VerifyOptions

__all__ = ["check_pins", "latest_seal_facts"]


def latest_seal_facts(doc: Mapping[str, Any], data: bytes, rel: str) -> dict[str, Any]:
    """What a report says about the latest seal, for a recipient to pin."""
    return {
        "sequence": doc["sequence"],
        "file": rel,
        "root": doc["tree"]["root"],
        "size": doc["tree"]["size"],
        "sealed_at": doc["sealed_at"],
        "custody_head": {"seq": doc["custody"]["seq"], "sha256": doc["custody"]["sha256"]},
        "sha256": digest_bytes(data).sha256,
    }


def check_pins(report: Report, roots: Sequence[tuple[int, str]], options: VerifyOptions, *,
               rel: str) -> None:
    """Check ``--expect-root`` and ``--min-seal`` against the seals read.

    Args:
        report: where findings go.
        roots: (sequence, root) of every seal that could be read, in order.
        options: the pins.
        rel: where to point a finding (the latest seal file, or ``seals/``).
    """
    if options.min_seal is not None:
        latest = roots[-1][0] if roots else 0
        if latest < options.min_seal:
            report.add("seal-pin", "FAIL",
                       f"the latest seal is {latest:04d}, but at least {options.min_seal:04d} "
                       "was expected (--min-seal): seals were removed (a rollback) or this is "
                       "an older copy", path=rel)
        else:
            report.add("seal-pin", "PASS", rel)
    if options.expect_root is not None:
        wanted = options.expect_root.lower()
        found = [sequence for sequence, root in roots if root == wanted]
        if not found:
            report.add("seal-pin", "FAIL",
                       f"no seal has the expected root {wanted} (--expect-root): the case was "
                       "rolled back behind it, or replaced", path=rel)
        else:
            report.add("seal-pin", "PASS", rel)
