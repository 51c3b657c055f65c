"""The bundled example case (shipped as evidence.examples)."""
