"""Set up and serve the test identity provider: `python -m hearth.people.tests.idp_oidc.serve`.

Reads IDP_PORT, IDP_DB, IDP_REDIRECT_URI, IDP_CLIENT_ID, IDP_CLIENT_SECRET and IDP_USERS
(JSON: [{"username", "email", "name", "verified"}]) from the environment.
"""

from __future__ import annotations

import json
import os
import socketserver
from wsgiref.simple_server import WSGIServer, make_server

os.environ["DJANGO_SETTINGS_MODULE"] = "hearth.people.tests.idp_oidc.settings"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from oidc_provider.models import Client, ResponseType  # noqa: E402

from hearth.people.tests.idp_oidc.claims import UNVERIFIED_GROUP  # noqa: E402
from hearth.people.tests.idp_oidc.launch import PASSWORD  # noqa: E402


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


def set_up() -> None:
    call_command("migrate", verbosity=0)
    call_command("creatersakey")
    unverified = Group.objects.create(name=UNVERIFIED_GROUP)
    for entry in json.loads(os.environ["IDP_USERS"]):
        first, _, last = entry["name"].partition(" ")
        user = User.objects.create_user(
            username=entry["username"],
            email=entry["email"],
            password=PASSWORD,
            first_name=first,
            last_name=last,
        )
        if not entry["verified"]:
            user.groups.add(unverified)
    client = Client.objects.create(
        name="Hearth",
        client_type="confidential",
        client_id=os.environ["IDP_CLIENT_ID"],
        client_secret=os.environ["IDP_CLIENT_SECRET"],
        jwt_alg="RS256",
        require_consent=True,
        reuse_consent=False,
        redirect_uris=[os.environ["IDP_REDIRECT_URI"]],
    )
    client.response_types.add(ResponseType.objects.get(value="code"))


if __name__ == "__main__":
    set_up()
    server = make_server(
        "127.0.0.1",
        int(os.environ["IDP_PORT"]),
        get_wsgi_application(),
        server_class=ThreadingWSGIServer,
    )
    server.serve_forever()
