"""Log-in checks in the domain: the same work for every user name, back-off instead of lock-out, disabled accounts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select

from cases import accounts
from cases.errors import ValidationError
from cases.login import AccountDisabled, Throttle, Throttled, authenticate
from cases.models import User
from tests.conftest import DEMO_PASSWORDS
from web.auth import hasher

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
QUICK = Throttle(free=2, address_free=6, first_wait=timedelta(seconds=30), max_wait=timedelta(minutes=4),
                 window=timedelta(minutes=15))


class Counting:
    """The real hasher, counting the password checks and which hashes they were against."""

    def __init__(self) -> None:
        self.real, self.checked = hasher(), []

    def hash(self, password: str) -> str:
        return self.real.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.checked.append(password_hash)
        return self.real.verify(password_hash, password)

    def dummy_hash(self) -> str:
        return self.real.dummy_hash()


def attempt(domain: Any, username: str, password: str, address: str = "192.0.2.1", *, at: datetime = T0,
            counting: Counting | None = None) -> User | None:
    with domain.sessions() as s:
        try:
            return authenticate(s, counting or Counting(), username, password, address, throttle=QUICK, now=at)
        finally:
            s.commit()


def test_every_user_name_costs_one_password_check(domain: Any) -> None:
    outcomes = {}
    for name, password in (("clerk", DEMO_PASSWORDS["clerk"]), ("clerk", "wrong-password"),
                           ("nobody-such", "wrong-password")):
        counting = Counting()
        outcomes[(name, password)] = attempt(domain, name, password, address=f"198.51.100.{len(outcomes)}",
                                             counting=counting)
        assert len(counting.checked) == 1 and counting.checked[0].startswith("$argon2id$"), name
    assert outcomes[("nobody-such", "wrong-password")] is None and outcomes[("clerk", "wrong-password")] is None
    assert outcomes[("clerk", DEMO_PASSWORDS["clerk"])].username == "clerk"


def test_failures_back_off_doubling_and_never_lock_the_owner_out(domain: Any) -> None:
    for _ in range(QUICK.free):  # the free ones; the next try waits
        assert attempt(domain, "clerk", "wrong-password", "203.0.113.9") is None
    with pytest.raises(Throttled) as wait:
        attempt(domain, "clerk", DEMO_PASSWORDS["clerk"], "203.0.113.9", at=T0 + timedelta(seconds=10))
    assert wait.value.retry_after == 20
    # The owner, from their own address, logs in meanwhile.
    assert attempt(domain, "clerk", DEMO_PASSWORDS["clerk"], "198.51.100.77", at=T0 + timedelta(seconds=10))
    # After the wait, one more try; its failure doubles the next wait.
    assert attempt(domain, "clerk", "wrong-password", "203.0.113.9", at=T0 + timedelta(seconds=31)) is None
    with pytest.raises(Throttled) as wait:
        attempt(domain, "clerk", "wrong-password", "203.0.113.9", at=T0 + timedelta(seconds=80))
    assert wait.value.retry_after == 31 + 60 - 80
    # A success from there (after the wait) clears that address's failures for the account.
    assert attempt(domain, "clerk", DEMO_PASSWORDS["clerk"], "203.0.113.9", at=T0 + timedelta(seconds=92))
    assert attempt(domain, "clerk", "wrong-password", "203.0.113.9", at=T0 + timedelta(seconds=93)) is None


def test_one_address_guessing_many_accounts_is_slowed_down(domain: Any) -> None:
    names = ["clerk", "supervisor", "admin", "transport", "housing", "nobody-1"]
    for name in names:
        assert attempt(domain, name, "wrong-password", "203.0.113.50") is None
    with pytest.raises(Throttled):
        attempt(domain, "nobody-2", "wrong-password", "203.0.113.50", at=T0 + timedelta(seconds=5))
    assert attempt(domain, "supervisor", DEMO_PASSWORDS["supervisor"], "198.51.100.8",
                   at=T0 + timedelta(seconds=5))


def test_a_disabled_account_is_named_only_after_its_right_password(domain: Any) -> None:
    with domain.sessions() as s:
        clerk = s.scalar(select(User).where(User.username == "clerk"))
        admin_id = s.scalar(select(User.id).where(User.username == "admin"))
        accounts.set_active(s, admin_id, clerk.id, False)
        s.commit()
    assert attempt(domain, "clerk", "wrong-password") is None
    with pytest.raises(AccountDisabled):
        attempt(domain, "clerk", DEMO_PASSWORDS["clerk"])


def test_session_version_rises_on_every_change_that_must_end_sessions(domain: Any) -> None:
    with domain.sessions() as s:
        clerk = s.scalar(select(User).where(User.username == "clerk"))
        admin_id = s.scalar(select(User.id).where(User.username == "admin"))
        versions = [clerk.session_version]
        accounts.end_sessions(s, clerk.id)
        versions.append(s.get(User, clerk.id).session_version)
        accounts.change_password(s, hasher(), s.get(User, clerk.id), DEMO_PASSWORDS["clerk"], "violet-harbour-97x")
        versions.append(clerk.session_version)
        accounts.reset_password(s, hasher(), clerk.id, "lantern-orchard-sleet-4")
        versions.append(clerk.session_version)
        accounts.change_role(s, admin_id, clerk.id, "supervisor", None)
        versions.append(clerk.session_version)
        accounts.set_active(s, admin_id, clerk.id, False)
        versions.append(clerk.session_version)
        s.commit()
    assert versions == sorted(set(versions)) and len(versions) == 6


def test_the_last_admin_and_oneself_are_kept(domain: Any) -> None:
    with domain.sessions() as s:
        admin_id = s.scalar(select(User.id).where(User.username == "admin"))
        supervisor_id = s.scalar(select(User.id).where(User.username == "supervisor"))
        for change in (lambda: accounts.set_active(s, admin_id, admin_id, False),
                       lambda: accounts.change_role(s, admin_id, admin_id, "clerk", None),
                       lambda: accounts.set_active(s, supervisor_id, admin_id, False),
                       lambda: accounts.change_role(s, supervisor_id, admin_id, "clerk", None)):
            with pytest.raises(ValidationError):
                change()
        assert s.get(User, admin_id).active and s.get(User, admin_id).role.value == "admin"
