"""Record bytes derived from the position alone, so any reader can check what it got."""


def payload(position: int) -> bytes:
    """Varying-length bytes that name ``position``."""
    return f"<{position}>".encode() * (1 + position % 13)


def batch(first_position: int, count: int) -> list[bytes]:
    """The payloads of a batch of ``count`` records starting at ``first_position``."""
    return [payload(p) for p in range(first_position, first_position + count)]
