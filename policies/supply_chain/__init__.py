"""supply_chain policies."""
