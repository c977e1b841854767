"""Pure domain core: values, catalog, unit engine, charge building. Standard library only."""
