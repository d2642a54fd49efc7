import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
application = get_wsgi_application()

from crm import garbage  # noqa: E402 (needs the settings get_wsgi_application set up)

garbage.freeze_after_first_request()
