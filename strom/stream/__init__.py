"""strom.stream (under construction)."""
