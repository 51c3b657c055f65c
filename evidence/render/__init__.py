"""The dossier: a case's latest seal as a PDF in an institutional dress, carrying its data.

``render_dossier`` lays out the dossier of a case in one of three templates (``icc-otp``,
``un-report``, ``transmittal``; see ``templates/*.yaml``) with reportlab's platypus, embeds
the case data of the seal in the PDF, and logs a ``rendered`` custody event. Only this
package imports reportlab. ``evidence verify dossier.pdf`` checks a dossier
(:mod:`evidence.verify.dossier`).

Example:
    >>> # result = render_dossier(Case.open("my-case"), template="un-report")  # doctest: +SKIP
    >>> sorted(template_names())
    ['icc-otp', 'transmittal', 'un-report']
"""

from evidence.render.bundle import MAX_EMBEDDED_BYTES, MAX_OBJECT_BYTES, Bundle, collect_bundle
from evidence.render.dossier import RenderResult, build_pdf, default_output, render_dossier
from evidence.render.template import Template, load_template, template_names

__all__ = [
    "MAX_EMBEDDED_BYTES",
    "MAX_OBJECT_BYTES",
    "Bundle",
    "RenderResult",
    "Template",
    "build_pdf",
    "collect_bundle",
    "default_output",
    "load_template",
    "render_dossier",
    "template_names",
]
