"""strom.broker: assembles partitions (log, state, engine, stream processor, exporters). Internal."""

from strom.broker.job_streams import JobStreamRegistry
from strom.broker.partition import Partition, PartitionSettings

__all__ = ["JobStreamRegistry", "Partition", "PartitionSettings"]
