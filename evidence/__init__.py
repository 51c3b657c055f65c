"""evidence: hashed, timestamped, sealed evidence records for accountability work.

A script imports from the faces below: each package's ``__init__`` and each public
module lists what it offers in ``__all__`` (tests/unit/test_public_api.py pins them).
Modules and names with a leading underscore, and the modules of a package that its
``__init__`` does not name, are internal and may change without notice.

Module map, top to bottom (a module imports only from its own row and the rows below;
tests/unit/test_layers.py keeps it so, docs/design.md draws it):

- :mod:`evidence.cli`: the ``evidence`` command, thin over everything below.
- :mod:`evidence.demo`, :mod:`evidence.serve`: the bundled example end to end; the review
  page in the browser (extra ``serve``).
- :mod:`evidence.render`: the PDF dossier (``render_dossier``); the only user of reportlab.
  :mod:`evidence.export`: BagIt packages and zips (``export_case``, ``import_package``).
- :mod:`evidence.suggest`: advice only, imported by the front ends and by the dossier's
  corroboration column: candidate claims (``suggest_claims``) and the corroboration ledger
  (``build_ledger``).
- :mod:`evidence.verify`: whether evidence is intact (``verify_path``, ``require_valid``);
  :mod:`evidence.check`: whether what people wrote is valid (``check_case``).
- :mod:`evidence.integrity`: sealing (``seal_case``), signatures, RFC 3161 time-stamps
  (``stamp_seal``), inclusion proofs, partial cases (``disclose``).
- :mod:`evidence.ingest`: sources in (``add_sources``, ``capture_url``);
  :mod:`evidence.claims`: the analyst's claims files, compiled and anchored at ``seal``.
- :mod:`evidence.case`: the case folder (``Case.init``, ``Case.open``), its lock, records,
  objects, seals and custody log.
- :mod:`evidence.store`: record and object files; ``evidence.integrity.merkle``,
  ``.custody`` and ``.sign``: the RFC 9162 tree, the hash-chained log, Ed25519.
- :mod:`evidence.schema`: the JSON Schemas; :mod:`evidence.model`: frozen value types of
  every document; :mod:`evidence.language`: word lists and page furniture;
  :mod:`evidence.conventions`: what registries expect of a submission.
- ``evidence.formats``: file formats both the writers and the verifier read.
- :mod:`evidence.digest` (BLAKE3, SHA-256), :mod:`evidence.canonical` (RFC 8785).
- :mod:`evidence.errors`: ``EvidenceError``, the one exception root;
  :mod:`evidence.report`: PASS/FAIL/ERROR findings with an explicit ``.ok``;
  ``evidence.progress``: the progress callback; :mod:`evidence.standalone`: the one-file
  verifier, which imports nothing of this package.

Example:
    >>> from evidence.verify import require_valid, verify_path
    >>> # require_valid(verify_path("my-case"))  # raises VerificationFailed if not OK
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
