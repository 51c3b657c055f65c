"""File formats that the writers and the verifier both follow (see each module).

- :mod:`evidence.formats.dossier`: the case data attached to a dossier PDF (the manifest,
  the checksum lists, which attachments are case files) and how it is laid out again.
"""

from evidence.formats import dossier

__all__ = ["dossier"]
