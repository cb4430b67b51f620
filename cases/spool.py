"""Letters kept while the database was away, registered when it is back: exactly once, none left behind.

A web letter's post is stored (content-addressed) before its case is written. When the database cannot be reached
at that moment, the post is not thrown away and not left unreferenced: its key, the digest of its stored post and
of its attachments go into a spool entry, one small JSON file per submission in a folder, written atomically. The
worker drains the folder once the database answers: each entry becomes a case through the same path as the form
(``cases.submissions``: the submission key is unique), then its file is removed. A crash between the two finds
the case on the next drain and only removes the file; a citizen who sends the form again meanwhile gets the same
case.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from cases.actors import Actor
from cases.policy import Policy
from cases.drafts import AttachmentDraft, LetterDraft
from cases.outages import outage_of
from cases.submissions import KEY, open_submitted

log = logging.getLogger(__name__)


@dataclass
class SpooledPost:
    """One kept submission: its key, its stored post and its stored attachments (filename, declared type,
    sha256)."""

    key: str
    raw_sha256: str
    attachments: list[dict[str, str]] = field(default_factory=list)


class Spool:
    """The folder of kept submissions."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def add(self, post: SpooledPost) -> None:
        """Keep ``post`` (durably: written, synced, then renamed into place)."""
        if not KEY.match(post.key):
            raise ValueError("a spooled post needs a valid submission key")
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(asdict(post), fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.folder / f"{post.key}.json")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def pending(self) -> list[Path]:
        """The entries waiting, oldest first."""
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime)

    def failed(self) -> list[Path]:
        """Entries set aside because they could not be registered (not for an outage)."""
        return sorted(self.folder.glob("*.failed")) if self.folder.is_dir() else []

    def drain(self, sessions: sessionmaker[Session], policy: Policy, rebuild: Callable[[dict], LetterDraft], *,
              actor: Actor, allowed_types: frozenset[str] | None = None) -> int:
        """Register every waiting entry (``rebuild`` makes the draft from the stored post); returns how many cases
        were opened. Stops at the first outage (the database is still away): the rest waits for the next drain."""
        opened = 0
        for path in self.pending():
            post = SpooledPost(**json.loads(path.read_text(encoding="utf-8")))
            try:
                draft = rebuild(json.loads(policy.store.get(post.raw_sha256)))
                draft.raw_sha256 = post.raw_sha256
                draft.attachments = [AttachmentDraft(filename=a["filename"], declared_type=a.get("declared_type"),
                                                     data=policy.store.get(a["sha256"])) for a in post.attachments]
                with sessions() as session:
                    _, new = open_submitted(session, policy, draft, post.key, actor=actor,
                                            allowed_types=allowed_types)
                    session.commit()
            except Exception as exc:
                if outage_of(exc):
                    log.warning("spool drain paused: %s", exc)
                    break
                # Not an outage: this entry cannot be registered as it is. It is set aside (kept, with the reason
                # logged) so the entries after it are not held up; ``failed()`` lists them for staff.
                log.exception("spooled letter %s could not be registered", path.name)
                path.rename(path.with_suffix(".failed"))
                continue
            path.unlink()
            opened += int(new)
        return opened
