"""JSON Schemas of every document kind in a case (shipped as evidence.schemas)."""
