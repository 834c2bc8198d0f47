"""deploy/Dockerfile copies every part of the project that runs, and only files that exist."""

import re

from django.conf import settings

from tests.deploy.environment import ROOT

DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text()
COPIED = {
    source for line in re.findall(r"^COPY (.+)$", DOCKERFILE, re.M) for source in line.split()[:-1]
}


def test_every_local_app_and_the_templates_are_copied() -> None:
    local_apps = {app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()}
    assert {"accounts", "campaigns", "scoring"} <= local_apps
    assert local_apps | {"config", "templates", "manage.py"} <= COPIED


def test_every_copied_path_exists() -> None:
    assert [source for source in COPIED if not (ROOT / source).exists()] == []
