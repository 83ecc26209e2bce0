"""ratecard's web app: the review queue, submissions and a JSON API (FastAPI + Jinja2)."""

from webapp.app import create_app

__all__ = ["create_app"]
