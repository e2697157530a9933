"""The Voxify Django project: settings, URLs, ASGI, Celery, and the API conventions."""

from voxify_project.celery import app as celery_app

__all__ = ("celery_app",)
