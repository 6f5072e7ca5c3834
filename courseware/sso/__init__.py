"""Signing in with an organisation's OpenID Connect providers."""
