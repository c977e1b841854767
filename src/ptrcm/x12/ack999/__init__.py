"""999 implementation acknowledgment (005010X231A1): reader and writer."""
