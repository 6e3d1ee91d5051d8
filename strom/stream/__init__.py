"""strom.stream: the stream platform of one partition (internal package).

``StreamProcessor`` (``processor``) drives a ``RecordProcessor`` (the engine) over a ``LogStorage``
and a RocksDB ``Database``: one command and its follow-ups per step, one log batch and one write
batch per step, replay on open. ``ResultBuilder`` (``result``) collects a step's records, responses
and side effects; ``Scheduler`` and ``Clock`` give scheduled tasks their time; ``KeyGenerator``
hands out the partition's keys; ``backpressure`` and ``flow_control`` decide which client commands
are taken.
"""
