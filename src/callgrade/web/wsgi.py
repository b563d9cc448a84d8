"""WSGI entry point for gunicorn: ``gunicorn callgrade.web.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callgrade.web.settings")
application = get_wsgi_application()
