"""A test client that speaks to the JSON API with a bearer token."""

import json

from django.test import Client

from rightsloop.accounts.actions import issue_api_token
from rightsloop.accounts.models import Membership


class ApiClient:
    def __init__(self, viewer):
        membership = Membership.objects.get(user=viewer.user, organisation=viewer.organisation)
        _token, self.token = issue_api_token(membership=membership, name="tests", by=None)
        self.client = Client()

    def _headers(self, headers):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}", **(headers or {})}

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, **self._headers(headers))

    def _send(self, method, path, body, headers):
        return getattr(self.client, method)(path, data=json.dumps(body), content_type="application/json",
                                            **self._headers(headers))

    def post(self, path, body=None, headers=None):
        return self._send("post", path, body or {}, headers)

    def patch(self, path, body=None, headers=None):
        return self._send("patch", path, body or {}, headers)

    def put(self, path, body=None, headers=None):
        return self._send("put", path, body or {}, headers)
