"""See docs/ARCHITECTURE.md for this layer's contract."""
