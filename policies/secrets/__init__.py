"""secrets policies."""
