"""strom.protocol (under construction)."""
