"""A small SAML 2.0 identity provider (pysaml2) for the SSO tests, with keys made per run."""
