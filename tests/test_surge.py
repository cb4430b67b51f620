"""Surges: enough similar cases in one area within the window raise one emergency alert for the cluster, with the
cluster in the emergency report (专报); unlike cases, other areas and older cases do not count."""
from __future__ import annotations

import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cases import areas, demo, geocode, intake
from cases.drafts import Channel, LetterDraft, PlaceDraft
from cases.models import Case, Event
from cases.models_emergency import EmergencyAlert
from cases.models_places import Surge
from tests.conftest import hasher
from tests.places_fixtures import ADDRESSES_CSV, IN_HARBOUR, IN_WEST, city_geojson
from web.app_state import state
from web.tasks.queue import kick

BURST = "Water main burst on Harbour Street, the road is flooded and water is rising"


def _city_app(app_factory: Any, **config: Any) -> Any:
    app = app_factory(**{"SURGE_MIN_CASES": 3, "SURGE_WINDOW_MINUTES": 60,
                         "EMERGENCY_LEADER_EMAILS": ["mayor@city.example"], **config})
    with state(app).sessions() as session:
        demo.load(session, state(app).policy, hasher())
        areas.save_areas(session, areas.parse_areas(city_geojson()))
        geocode.save_addresses(session, geocode.parse_address_csv(ADDRESSES_CSV.encode()))
        session.commit()
    return app


def _letter(app: Any, subject: str, body: str, spot: tuple[float, float], at: datetime | None = None) -> str:
    """A letter registered as the web form does, then the worker's pass after the commit."""
    with app.app_context(), state(app).sessions() as session:
        result = intake.receive(session, state(app).policy, LetterDraft(
            channel=Channel.WEB, subject=subject, body=body, received_at=at,
            place=PlaceDraft(lat=spot[0], lon=spot[1])))
        session.commit()
        number = result.case.number
        kick()
    return number


def test_similar_cases_in_one_area_within_the_window_raise_one_alert(app_factory: Any, tmp_path: Path) -> None:
    app = _city_app(app_factory)
    now = datetime.now(timezone.utc)
    old = _letter(app, "Water main burst", BURST, IN_HARBOUR, at=now - timedelta(hours=3))  # outside the window
    elsewhere = _letter(app, "Water main burst", BURST, IN_WEST)  # another area
    unlike = _letter(app, "Loud karaoke bar", "Karaoke music every night until 3 am keeps children awake",
                     IN_HARBOUR)
    first = _letter(app, "Water main burst", BURST, IN_HARBOUR)
    # Shares words with the burst letters ("Harbour Street"), not enough to be like them.
    sign = _letter(app, "Missing sign", "The bus stop sign on Harbour Street is missing", IN_HARBOUR)
    second = _letter(app, "Flooded road", "The road is flooded by a burst water main near the harbour", IN_HARBOUR)
    with state(app).sessions() as session:
        assert session.scalar(select(EmergencyAlert)) is None  # two similar cases (and a sign): not yet a surge
    third = _letter(app, "Water everywhere", "Burst water main: Harbour Street flooded, water rising fast",
                    IN_HARBOUR)
    fourth = _letter(app, "Still flooding", "Harbour Street still flooded from the burst water main", IN_HARBOUR)
    with state(app).sessions() as session:
        alerts = session.scalars(select(EmergencyAlert)).all()
        assert len(alerts) == 1  # once per cluster: the fourth case joined it
        surge = session.scalar(select(Surge))
        numbers = {session.get(Case, i).number for i in surge.case_ids}
        assert numbers == {first, second, third, fourth}
        assert old not in numbers and elsewhere not in numbers and unlike not in numbers and sign not in numbers
        alert = alerts[0]
        assert alert.case.number == first and alert.case.major_emergency and "Surge: 3 similar cases" in alert.note
        assert session.scalars(select(Event.action).join(Case).where(Case.number == fourth)).all()[-1] == "surge"
        pdf = state(app).policy.store.get(alert.report_sha256)
    (tmp_path / "report.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert all(n in text for n in (first, second, third)) and "Harbour Street" in text
    assert "in 3 case(s)" in text  # the report was made when the alert was raised, on its cluster of three


def test_surges_can_be_turned_off(app_factory: Any) -> None:
    app = _city_app(app_factory, SURGE_WINDOW_MINUTES=0)
    for _ in range(4):
        _letter(app, "Water main burst", BURST, IN_HARBOUR)
    with state(app).sessions() as session:
        assert session.scalar(select(EmergencyAlert)) is None and session.scalar(select(Surge)) is None
