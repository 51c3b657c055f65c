"""Files shipped for readers who do not install `evidence`: the one-file verifier."""
