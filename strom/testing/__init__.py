"""strom.testing (under construction)."""
