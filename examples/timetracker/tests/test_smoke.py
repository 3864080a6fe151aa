import pytest

from app import __version__

pytestmark = pytest.mark.smoke


def test_health_answers(client):
    response = client.get("/_health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "version": __version__}


def test_ready_with_database(client):
    response = client.get("/_ready")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ready"


def test_api_lists_projects(client):
    response = client.get("/api/projects")
    assert response.status_code == 200
    assert response.get_json() == []


def test_unknown_route_is_404(client):
    assert client.get("/nope").status_code == 404
