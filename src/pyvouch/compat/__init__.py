"""Where pyvouch depends on the private parts of other packages (see `sigstore_private`)."""
