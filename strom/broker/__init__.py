"""strom.broker (under construction)."""
