"""MESSAGE and MESSAGE_BATCH commands: publishing messages and expiring them."""
