"""Appends batches forever with group commit on, printing each durable position as reported.

Run by ``test_durability.py``, which SIGKILLs it and checks every printed position survived.
Usage: python _sigkill_writer.py <journal directory> <segment size>
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _payload import batch

from strom.log import FileJournal


def main() -> None:
    directory, segment_size = sys.argv[1], int(sys.argv[2])
    journal = FileJournal(directory, segment_size=segment_size)
    out = sys.stdout

    def on_durable(position: int) -> None:
        # Printed only after the sync: a position on stdout is a promise the journal must keep.
        out.write(f"{position}\n")
        out.flush()

    out.write(f"start {journal.next_position}\n")
    out.flush()
    journal.start_group_commit(on_durable)
    while True:
        first = journal.next_position
        journal.append(batch(first, 1 + first % 7))


if __name__ == "__main__":
    main()
