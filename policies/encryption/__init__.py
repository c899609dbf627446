"""encryption policies."""
