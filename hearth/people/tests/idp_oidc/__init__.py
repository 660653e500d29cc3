"""A tiny OpenID Connect identity provider (django-oidc-provider) for the SSO tests.

It runs in its own process with its own settings and SQLite file: `serve.py` sets it up.
"""
