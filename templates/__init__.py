"""Dossier templates, data not code (shipped as evidence.templates)."""
