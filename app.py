"""Entry point: gunicorn serves ``app:app``; ``flask --app app`` finds it."""

from courseware import create_app
from courseware.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    raise SystemExit(f"Courseware cannot start: {exc}") from None
