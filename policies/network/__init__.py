"""network policies."""
