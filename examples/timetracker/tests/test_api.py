import pytest

from app import create_app

pytestmark = pytest.mark.integration


@pytest.mark.critical
def test_create_and_get_project(client, project):
    assert project["name"] == "Website"
    assert project["hourly_rate"] == "80.00"
    response = client.get(f"/api/projects/{project['id']}")
    assert response.status_code == 200
    assert response.get_json() == project


def test_duplicate_project_name_conflicts(client, project):
    response = client.post("/api/projects", json={"name": "Website"})
    assert response.status_code == 409
    assert "already exists" in response.get_json()["error"]


def test_update_and_archive(client, project):
    response = client.patch(f"/api/projects/{project['id']}", json={"hourly_rate": "95.5", "archived": True})
    assert response.status_code == 200
    assert response.get_json()["hourly_rate"] == "95.50"
    assert client.get("/api/projects").get_json() == []
    assert [p["name"] for p in client.get("/api/projects?archived=1").get_json()] == ["Website"]
    blocked = client.post(f"/api/projects/{project['id']}/entries", json={"duration": "1h"})
    assert blocked.status_code == 409


@pytest.mark.critical
def test_entries_and_report(client, project):
    pid = project["id"]
    first = client.post(
        f"/api/projects/{pid}/entries",
        json={"started_at": "2024-05-01T09:00:00Z", "ended_at": "2024-05-01T10:30:00Z", "description": "design"},
    )
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["seconds"] == 5400
    second = client.post(
        f"/api/projects/{pid}/entries",
        json={"started_at": "2024-05-02T09:00:00Z", "duration": "45m", "billable": False},
    )
    assert second.status_code == 201, second.get_json()
    entries = client.get(f"/api/projects/{pid}/entries").get_json()
    assert [e["seconds"] for e in entries] == [5400, 2700]
    report = client.get(f"/api/projects/{pid}/report").get_json()
    assert report == {
        "project": "Website",
        "entries": 2,
        "total_seconds": 8100,
        "total": "2:15:00",
        "billable_seconds": 5400,
        "amount": "120.00",
    }


def test_timer_start_stop(client, project):
    pid = project["id"]
    started = client.post(f"/api/projects/{pid}/entries", json={"description": "timer"})
    assert started.status_code == 201
    entry = started.get_json()
    assert entry["running"] is True
    again = client.post(f"/api/projects/{pid}/entries", json={})
    assert again.status_code == 409
    # A running timer is not in the report until stopped.
    assert client.get(f"/api/projects/{pid}/report").get_json()["entries"] == 0
    stopped = client.post(f"/api/entries/{entry['id']}/stop")
    assert stopped.status_code == 200
    assert stopped.get_json()["running"] is False
    assert client.post(f"/api/entries/{entry['id']}/stop").status_code == 409
    assert client.get(f"/api/projects/{pid}/report").get_json()["entries"] == 1


def test_delete_project_cascades(client, project):
    pid = project["id"]
    entry = client.post(f"/api/projects/{pid}/entries", json={"started_at": "2024-05-01T09:00:00Z", "duration": "1h"})
    assert entry.status_code == 201
    assert client.delete(f"/api/projects/{pid}").status_code == 204
    assert client.get(f"/api/projects/{pid}").status_code == 404
    assert client.delete(f"/api/entries/{entry.get_json()['id']}").status_code == 404


def test_missing_resources(client):
    assert client.get("/api/projects/999").status_code == 404
    assert client.post("/api/entries/999/stop").status_code == 404


def test_ready_reports_unavailable_database(tmp_path):
    # A SQLite path inside a missing directory cannot be opened.
    env = {"APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite"}
    app = create_app(env=env)
    response = app.test_client().get("/_ready")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert app.test_client().get("/_health").status_code == 200
