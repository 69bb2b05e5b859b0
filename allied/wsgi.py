"""WSGI entry point for Allied."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "allied.settings")

application = get_wsgi_application()

# Everything loaded so far (the application, its modules and caches) lives as long as the
# process: move it out of the garbage collector's reach, so that a full collection walks only
# what requests create. A server that forks workers after loading the application (gunicorn
# --preload) also keeps those pages shared between workers. Without it, a full collection of
# about 100 ms landed on one request in six of the coverage page (bench/people.py).
gc.freeze()
