"""Command distribution: a command processed on one partition, then on every other (Zeebe's
COMMAND_DISTRIBUTION), durable and retried until every partition acknowledged it."""
