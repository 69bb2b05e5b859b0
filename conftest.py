"""Point pytest-django at Allied's settings (pyproject's pytest section stays as it is).

pytest-django reads DJANGO_SETTINGS_MODULE before it imports this file, so setting the variable
is not enough on its own: Django is set up here too, before any test module imports a model.
pytest-django's own pytest_configure runs after this one and then guards database access.
Conftest files below this one must not import models at module level: they load earlier.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "allied.settings")


def pytest_configure(config: pytest.Config) -> None:
    import django

    django.setup()
