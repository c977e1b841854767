"""Use cases: the imperative shell that reads files, talks to the store and calls inward."""
