"""Archival packages: a case as a BagIt bag (RFC 8493), folder or deterministic zip, and
the way back.

- :func:`export_case` writes the package and logs an ``exported`` custody event;
- :func:`import_package` restores a case from a package, only once it verifies;
- :func:`write_payload`, :func:`write_tag_files` and :func:`write_zip` are the RFC 8493
  writer and the zip writer underneath.

Packages are verified by :func:`evidence.verify.package.verify_package` (``evidence verify
PACKAGE``), and validate with the Library of Congress tool (``bagit.py --validate``).

Example::

    result = export_case(Case.open("my-case"), Path("my-case"), as_zip=True)
    print(result.zip_sha256)                      # my-case.zip, deterministic
    import_package(result.path, Path("restored"))  # verifies, then restores
"""

from evidence.export.bagit import (
    BAGIT_VERSION,
    PayloadFile,
    PayloadSummary,
    write_payload,
    write_tag_files,
)
from evidence.export.package import ExportResult, export_case, package_schemas
from evidence.export.restore import ImportResult, import_package
from evidence.export.zip import ZIP_EPOCH, write_zip

__all__ = [
    "BAGIT_VERSION",
    "ZIP_EPOCH",
    "ExportResult",
    "ImportResult",
    "PayloadFile",
    "PayloadSummary",
    "export_case",
    "import_package",
    "package_schemas",
    "write_payload",
    "write_tag_files",
    "write_zip",
]
