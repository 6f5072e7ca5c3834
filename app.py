"""Entry point: gunicorn serves ``app:app``; ``flask --app app`` finds it."""

from courseware import create_app

app = create_app()
