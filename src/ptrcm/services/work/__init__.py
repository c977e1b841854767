"""Working the queues and the denials to closure: assign, note, follow up (with optimistic
concurrency), appeals sent, corrected and void claims, write-offs with approval, closing."""
