import pytest

from app import ConfigError, create_app
from app.security import HEADERS

pytestmark = pytest.mark.security


def test_security_headers_on_every_response(client):
    for path in ("/_health", "/api/projects", "/does-not-exist"):
        response = client.get(path)
        for name, value in HEADERS.items():
            assert response.headers.get(name) == value, (path, name)
        assert "Server" not in response.headers


def test_production_requires_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(env={"APP_ENV": "production", "SECRET_KEY": "short"})


def test_sql_injection_is_stored_as_text(client):
    name = "x'); DROP TABLE projects; --"
    created = client.post("/api/projects", json={"name": name})
    assert created.status_code == 201
    names = [p["name"] for p in client.get("/api/projects").get_json()]
    assert names == [name]


@pytest.mark.parametrize(
    "body,message",
    [
        ({"name": ""}, "name must not be empty"),
        ({"name": 5}, "name must be a string"),
        ({"name": "a" * 121}, "name must be at most 120 characters"),
        ({"name": "ok", "hourly_rate": "NaN"}, "hourly_rate must be between 0 and 100000"),
        ({"name": "ok", "hourly_rate": "-5"}, "hourly_rate must be between 0 and 100000"),
        ({"name": "ok", "hourly_rate": "1e9"}, "hourly_rate must be between 0 and 100000"),
        ({"name": "ok", "hourly_rate": "abc"}, "hourly_rate must be a number"),
        ({}, "name is required"),
    ],
)
def test_project_input_validation(client, body, message):
    response = client.post("/api/projects", json=body)
    assert response.status_code == 400
    assert response.get_json() == {"error": message}


def test_non_json_body_is_rejected(client):
    response = client.post("/api/projects", data="name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.get_json() == {"error": "request body must be a JSON object"}


def test_oversized_body_is_rejected(client):
    response = client.post("/api/projects", data="x" * (65 * 1024), content_type="application/json")
    assert response.status_code == 413
    assert "at most" in response.get_json()["error"]


def test_entry_order_is_enforced(client, project):
    response = client.post(
        f"/api/projects/{project['id']}/entries",
        json={"started_at": "2024-05-01T10:00:00Z", "ended_at": "2024-05-01T09:00:00Z"},
    )
    assert response.status_code == 400
    assert response.get_json() == {"error": "ended_at must not be before started_at"}
