"""The FEEL exception tree: one base so callers can catch everything FEEL raises."""

from __future__ import annotations

__all__ = ["FeelError", "FeelEvaluationError", "FeelSyntaxError", "position_of"]


def position_of(source: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset; errors point there, not at an offset."""
    offset = max(0, min(offset, len(source)))
    line = source.count("\n", 0, offset) + 1
    start = source.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def _where(source: str, line: int, column: int) -> str:
    shown = source if len(source) <= 200 else source[:197] + "..."
    if "\n" in source:
        return f"at line {line}, column {column} of {shown!r}"
    return f'at column {column} of "{shown}"'


class FeelError(Exception):
    """Base of every error the FEEL package raises on purpose."""


class FeelSyntaxError(FeelError):
    """The text is not FEEL; raised by compile_* at once, with where it went wrong."""

    def __init__(self, message: str, line: int, column: int, source: str) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.source = source
        super().__init__(f"FEEL syntax error: {message} {_where(source, line, column)}")

    @classmethod
    def at(cls, message: str, source: str, offset: int) -> FeelSyntaxError:
        line, column = position_of(source, offset)
        return cls(message, line, column, source)


class FeelEvaluationError(FeelError):
    """Strict-mode evaluation failed; the engine turns this into an incident."""

    def __init__(self, message: str, line: int = 0, column: int = 0, source: str = "") -> None:
        self.message = message
        self.line = line
        self.column = column
        self.source = source
        if source:
            text = f"FEEL: {message} {_where(source, line, column)}"
        else:
            text = f"FEEL: {message}"
        super().__init__(text)
