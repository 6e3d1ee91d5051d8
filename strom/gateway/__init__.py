"""strom.gateway (under construction)."""
