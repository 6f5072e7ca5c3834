"""Drafts: what people type in a form is kept until they send it, even past the end of a session."""
