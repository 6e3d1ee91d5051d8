"""strom.client (under construction)."""
