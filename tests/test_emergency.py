"""Major emergencies: declaring one alerts the supervisors and leaders once, a banner shows on every supervisor
page until acknowledged, and the one-page emergency report (专报) is generated as PDF and kept."""
from __future__ import annotations

import subprocess
from typing import Any

from sqlalchemy import select

from cases import outbox
from cases.models import Case, OutboxItem
from cases.models_emergency import EmergencyAlert
from tests.conftest import login
from tests.helpers.web_forms import submit_letter
from web.app_state import state


def test_a_declared_emergency_alerts_and_bannners_until_acknowledged(app_factory: Any, tmp_path: Any) -> None:
    from cases import demo
    from tests.conftest import hasher

    app = app_factory(EMERGENCY_LEADER_EMAILS=["mayor@city.example"])
    with state(app).sessions() as s:
        demo.load(s, state(app).policy, hasher())
        s.commit()
    number, _code = submit_letter(app.test_client(), subject="Gas smell at Central School",
                                  body="Strong gas smell at Central School, 12 Park Road; children evacuated.")
    clerk = app.test_client()
    login(clerk, "clerk")
    assert 'id="action-emergency"' in clerk.get(f"/cases/{number}").get_data(as_text=True)
    assert clerk.post(f"/supervision/cases/{number}/emergency", data={"note": ""}).status_code == 302
    with state(app).sessions() as s:
        assert s.scalar(select(EmergencyAlert)) is None  # no note, no alert
    assert clerk.post(f"/supervision/cases/{number}/emergency",
                      data={"note": "Gas leak, school evacuated"}).status_code == 302
    assert clerk.post(f"/supervision/cases/{number}/emergency", data={"note": "again"}).status_code == 302
    with state(app).sessions() as s:
        alerts = s.scalars(select(EmergencyAlert)).all()
        assert len(alerts) == 1 and alerts[0].report_sha256  # the worker made the report at once
        case = s.scalar(select(Case).where(Case.number == number))
        assert case.major_emergency and case.urgent
        mail = s.scalars(select(OutboxItem).where(OutboxItem.topic == outbox.SEND_MAIL,
                                                  OutboxItem.key == f"emergency:{alerts[0].id}")).one()
        assert "mayor@city.example" in mail.payload["to"] and "supervisor@office.example.org" in mail.payload["to"]
        assert number in mail.payload["subject"] and "Gas leak" in mail.payload["body"]
        pdf = state(app).policy.store.get(alerts[0].report_sha256)
        alert_id = alerts[0].id
    assert pdf.startswith(b"%PDF")
    (tmp_path / "report.pdf").write_bytes(pdf)
    pages = subprocess.run(["pdfinfo", str(tmp_path / "report.pdf")], capture_output=True, text=True, check=True)
    assert "Pages:           1" in pages.stdout
    text = subprocess.run(["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert number in text and "Gas leak, school evacuated" in text and "12 Park Road" in text
    assert "1 citizen(s) in 1 case(s)" in text

    supervisor = app.test_client()
    login(supervisor, "supervisor")
    for page in ("/supervision/", "/supervision/performance", "/desk/"):
        assert 'id="emergency-banner"' in supervisor.get(page).get_data(as_text=True)
    assert 'id="emergency-banner"' not in clerk.get("/desk/").get_data(as_text=True)  # supervisors' banner
    served = supervisor.get(f"/supervision/emergencies/{alert_id}/report.pdf")
    assert served.status_code == 200 and served.data == pdf
    assert clerk.get(f"/supervision/emergencies/{alert_id}/report.pdf").status_code == 404
    assert supervisor.post(f"/supervision/emergencies/{alert_id}/acknowledge",
                           data={"next": "/supervision/"}).status_code == 302
    assert 'id="emergency-banner"' not in supervisor.get("/supervision/").get_data(as_text=True)
    with state(app).sessions() as s:
        assert s.get(EmergencyAlert, alert_id).acknowledged_at is not None
