"""evidence: hashed, timestamped, sealed evidence records for accountability work."""

__version__ = "0.1.0"
