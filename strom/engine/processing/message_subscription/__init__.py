"""MESSAGE_SUBSCRIPTION commands, on the message's partition."""
