"""Every tampered copy of the tamper suite is also checked by the one-file verifier.

After each test that used a sealed or stamped case (and tampered with it), the one-file
verifier (evidence/standalone/evidence-verify.py, standard library only) and
``verify_case`` look at the folder as the test left it: they must agree on the verdict,
and every check the one-file verifier names must be one ``verify_case`` names too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.standalone import agree


@pytest.fixture(autouse=True)
def _one_file_verifier_agrees(request: pytest.FixtureRequest) -> Iterator[None]:
    roots = [
        request.getfixturevalue(name)
        for name in ("sealed_case", "stamped_case")
        if name in request.fixturenames
    ]
    yield
    for root in roots:
        if isinstance(root, Path) and root.is_dir():
            agree(root)
