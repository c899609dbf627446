"""isolation policies."""
