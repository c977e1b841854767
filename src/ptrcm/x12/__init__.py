"""X12 5010: tokenizer, writers and readers (837P/837I, 835, 999, 277CA, 270/271, 276)."""
