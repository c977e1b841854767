"""837P and 837I (005010X222A1 / X223A2): the transaction model, loops, writers and reader."""
