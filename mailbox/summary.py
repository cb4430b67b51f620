"""What a poll did, per folder and in total: counts, errors, and the folders another poller held."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PollSummary:
    """What one poll did. ``folders`` holds the per-folder summaries when this one is a total from ``poll_all``."""

    account: str
    folder: str
    fetched: int = 0
    new_cases: int = 0
    attached: int = 0
    quarantined: int = 0
    duplicates: int = 0
    skipped_locked: bool = False
    locked_by: str | None = None  # who held the folder when it was skipped, e.g. "pid 123 on host"
    locked_until: str | None = None  # until when (ISO 8601, UTC) its lease runs unless renewed
    uidvalidity_changed: bool = False
    search_strategy: str | None = None
    errors: list[str] = field(default_factory=list)
    folders: list["PollSummary"] = field(default_factory=list)

    def add(self, other: "PollSummary") -> None:
        for name in ("fetched", "new_cases", "attached", "quarantined", "duplicates"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped_locked = self.skipped_locked or other.skipped_locked
        self.errors.extend(f"{other.folder}: {error}" for error in other.errors)
        self.folders.append(other)

    def skipped_lines(self) -> list[str]:
        """One "skipped: <folder> locked by <holder> until <time>" line per folder another poller held."""
        return [f"skipped: {s.folder} locked by {s.locked_by or 'another poller'}"
                + (f" until {s.locked_until}" if s.locked_until else "")
                for s in (self.folders or [self]) if s.skipped_locked]

    def as_dict(self) -> dict:
        """Plain values, e.g. for ``--json`` output."""
        data = {k: v for k, v in self.__dict__.items() if k != "folders"}
        data["folders"] = [f.as_dict() for f in self.folders]
        return data
