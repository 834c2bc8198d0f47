"""WSGI entry point for gunicorn."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# What starting made (modules, URL patterns, settings) lives as long as the process: frozen, the
# oldest generation's collections stop walking it again and again. A request makes tens of
# thousands of short-lived objects, nearly all freed by reference counting; collecting the
# youngest generation every 700 net allocations (Python's default) then mostly walks objects
# about to be freed anyway. Measured with bench/run.py annotation_compare (docs/decisions.md).
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 20, 20)
