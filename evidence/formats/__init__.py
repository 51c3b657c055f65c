"""File formats that the writers and the verifier both follow (see each module)."""
