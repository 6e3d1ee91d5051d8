"""PROCESS_MESSAGE_SUBSCRIPTION commands, on the process instance's partition."""
