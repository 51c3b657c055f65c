"""File formats that the writers and the verifier both follow (see each module).

- :mod:`evidence.formats.bagit`: the BagIt layout this tool writes and reads (RFC 8493):
  manifest and tag-file syntax, the bag-info fields that name the seal and custody head.
- :mod:`evidence.formats.dossier`: the case data attached to a dossier PDF (the manifest,
  the checksum lists, which attachments are case files) and how it is laid out again.
"""

from evidence.formats import bagit, dossier

__all__ = ["bagit", "dossier"]
