"""The package's own errors: every bad input becomes a message naming file, line and field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input, located as precisely as we can."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class AnalysisError(Exception):
    """An error the CLI reports as plain lines, without a traceback."""

    def lines(self) -> list[str]:
        return str(self).splitlines() or [""]


class ValidationError(AnalysisError):
    """Raised when raw or processed tables break their schema; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=_problem_key)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


def _problem_key(p: Problem) -> tuple:
    return (p.file, p.line if p.line is not None else -1, p.field or "", p.message)
