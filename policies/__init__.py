"""Built-in policies, one small module per policy or per table of alike policies."""
