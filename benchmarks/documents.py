"""Document upload and download throughput over REST: a ``strom broker`` subprocess, documents of
``--size`` MB uploaded one after another (``POST /v2/documents``, multipart), then each downloaded
and compared (``GET /v2/documents/{id}``, streamed from the data directory). Each upload is
hashed, written and fsynced before it is answered.

    .venv/bin/python benchmarks/documents.py [--count 5] [--size 10]

The last line is one JSON object (MB/s both ways).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "gateway"))
from broker_process import BrokerProcess


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--size", type=float, default=10.0, help="MB per document (at most 10: max_size)")
    args = parser.parse_args()
    data = os.urandom(int(args.size * 1024 * 1024) - 4096)
    with tempfile.TemporaryDirectory() as directory:
        broker = BrokerProcess(Path(directory)).start()
        try:
            with httpx.Client(base_url=broker.rest_address, timeout=120) as http:
                started = time.perf_counter()
                ids = []
                for _ in range(args.count):
                    files = {"file": ("bench.bin", data, "application/octet-stream")}
                    answer = http.post("/documents", files=files)
                    answer.raise_for_status()
                    ids.append(answer.json()["documentId"])
                upload_s = time.perf_counter() - started
                started = time.perf_counter()
                for document_id in ids:
                    assert http.get(f"/documents/{document_id}").content == data
                download_s = time.perf_counter() - started
        finally:
            broker.stop()
    megabytes = args.count * len(data) / 1e6
    print(
        json.dumps(
            {
                "documents": args.count,
                "bytes_each": len(data),
                "upload_mb_s": round(megabytes / upload_s, 1),
                "download_mb_s": round(megabytes / download_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
