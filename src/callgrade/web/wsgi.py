"""WSGI entry point for gunicorn: ``gunicorn callgrade.web.wsgi``, or
``callgrade.web.wsgi:warmed()`` to load and warm the app first (``callgrade serve`` does, with
``--preload``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callgrade.web.settings")
application = get_wsgi_application()


def warmed():
    """The application, after doing what its first requests would otherwise do."""
    from callgrade.web.launch import warm

    warm()
    return application
