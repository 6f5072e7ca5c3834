"""Provisioning people and teams from the organisation's directory over SCIM 2.0."""
