"""A pysaml2 identity provider served over HTTP from a thread: sign in, get a signed assertion.

GET  /sso/redirect  takes the SP's AuthnRequest (HTTP-Redirect binding) and shows a sign-in form.
POST /sso/login     checks the password and answers with a form that POSTs the SAMLResponse.
"""

from __future__ import annotations

import html
import socketserver
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from hearth.people.tests.idp_saml.keys import KeyPair

PASSWORD = "idp-password"


@dataclass(frozen=True)
class SamlUser:
    username: str
    mail: str
    name: str


@dataclass
class SamlIdP:
    base_url: str
    keys: KeyPair
    sp_metadata_url: str
    users: dict[str, SamlUser]
    sign: bool = True  # False: hand out assertions with no signature at all
    _server: Server | None = field(default=None, repr=False)

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/metadata"

    @property
    def sso_url(self) -> str:
        return f"{self.base_url}/sso/redirect"

    def server(self) -> Server:
        # Built on first use: Hearth's SP metadata is only served once Hearth is configured.
        if self._server is None:
            sp_metadata = requests.get(self.sp_metadata_url, timeout=10)
            sp_metadata.raise_for_status()
            config = IdPConfig()
            config.load(
                {
                    "entityid": self.entity_id,
                    "service": {
                        "idp": {
                            "endpoints": {
                                "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)]
                            },
                            "policy": {"default": {"name_form": NAME_FORMAT_URI}},
                            "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        }
                    },
                    "key_file": str(self.keys.key_file),
                    "cert_file": str(self.keys.cert_file),
                    "xmlsec_binary": "/usr/bin/xmlsec1",
                    "metadata": {"inline": [sp_metadata.text]},
                }
            )
            self._server = Server(config=config)
        return self._server

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        if path == "/sso/redirect":
            query = {k: v[0] for k, v in parse_qs(environ["QUERY_STRING"]).items()}
            body = self._login_form(query["SAMLRequest"], query.get("RelayState", ""))
        elif path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
            body = self._answer(form)
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode()]

    def _login_form(self, saml_request: str, relay_state: str) -> str:
        return f"""<!doctype html><title>Test IdP</title><h1>State University sign-in</h1>
<form method="post" action="/sso/login">
<input name="username"><input type="password" name="password">
<input type="hidden" name="SAMLRequest" value="{html.escape(saml_request)}">
<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">
<button type="submit">Sign in to the IdP</button></form>"""

    def _answer(self, form: dict[str, str]) -> str:
        user = self.users.get(form.get("username", ""))
        if user is None or form.get("password") != PASSWORD:
            return "<!doctype html><title>Test IdP</title><p>Wrong username or password.</p>"
        server = self.server()
        request = server.parse_authn_request(form["SAMLRequest"], BINDING_HTTP_REDIRECT).message
        acs_url = request.assertion_consumer_service_url
        response = server.create_authn_response(
            identity={
                "mail": [user.mail],
                "eduPersonPrincipalName": [f"{user.username}@state.example.edu"],
                "displayName": [user.name],
            },
            in_response_to=request.id,
            destination=acs_url,
            sp_entity_id=request.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"id-{user.username}"),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_assertion=self.sign,
            sign_response=False,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        binding = server.apply_binding(
            BINDING_HTTP_POST, str(response), acs_url, form.get("RelayState", ""), response=True
        )
        # pysaml2's page auto-submits with script; give the test client a labelled button.
        page = binding["data"]
        return page.replace('<input type="submit" value="Submit" />', "").replace(
            "</form>", '<button type="submit">Continue to Hearth</button></form>', 1
        )


def _not_ready(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("503 Service Unavailable", [])
    return []


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


@contextmanager
def running(idp_factory: Callable[[str], SamlIdP]) -> Iterator[SamlIdP]:
    """Serve the IdP built by `idp_factory(base_url)` on a free loopback port."""
    httpd = make_server(
        "127.0.0.1", 0, _not_ready, server_class=_ThreadingServer, handler_class=_Quiet
    )
    idp = idp_factory(f"http://127.0.0.1:{httpd.server_port}")
    httpd.set_app(idp)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield idp
    finally:
        httpd.shutdown()
        httpd.server_close()
