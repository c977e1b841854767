"""835 (005010X221A1): parse, stream, balance checks, the remittance model and the writer."""
