import json

import pytest
from django.test import Client

from accord.api.services import api_token_create


class ApiClient:
    """Calls the API with an integration token, the way an ERP or CRM would."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            _token, key = api_token_create(user=user, name="tests")
            self.headers["Authorization"] = f"Bearer {key}"

    def _call(self, method: str, path: str, data=None, raw: str | bytes | None = None, **params):
        body = raw if raw is not None else (json.dumps(data) if data is not None else "")
        if method == "get":
            return self.client.get(f"/api/v1{path}", params, headers=self.headers)
        return getattr(self.client, method)(f"/api/v1{path}", body, content_type="application/json",
                                            headers=self.headers)

    def get(self, path, **params):
        return self._call("get", path, **params)

    def post(self, path, data=None, raw=None):
        return self._call("post", path, data, raw)

    def patch(self, path, data=None, raw=None):
        return self._call("patch", path, data, raw)

    def delete(self, path):
        return self._call("delete", path)


@pytest.fixture
def api_as():
    return ApiClient


def fields_of(response) -> dict:
    """{field: message} from the common error body."""
    return {error["field"]: error["message"] for error in response.json()["errors"]}
