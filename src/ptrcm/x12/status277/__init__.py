"""277CA claim acknowledgment and 276/277 claim status (005010X214 / X212): reader and writer."""
