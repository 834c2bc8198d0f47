"""A mistyped number or rate limit in the environment stops the settings from loading, naming the
variable, instead of failing the first request that needs it."""

import pytest

from tests.deploy.environment import production_env, run_python

LOAD = (
    "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'\n"
    "from django.conf import settings\n"
    "print(settings.INGEST_RATE_LIMIT, settings.INGEST_BATCH_MAX, settings.ACCOUNT_RATE_LIMITS)"
)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("INGEST_RATE_LIMIT", "lots"),
        ("INGEST_RATE_LIMIT", "1.5/m"),
        ("JOIN_RATE_LIMIT", "30 per 10 minutes"),
        ("RATE_LIMIT_LOGIN_FAILED", "120/m/ip,10/5x/key"),
        ("INGEST_BATCH_MAX", "five hundred"),
    ],
)
def test_a_bad_value_names_its_variable(name, value) -> None:
    result = run_python(LOAD, production_env(**{name: value}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} must be" in result.stderr and repr(value) in result.stderr


def test_good_values_and_off_load() -> None:
    env = production_env(
        INGEST_RATE_LIMIT="off", JOIN_RATE_LIMIT="5/30s/ip,100/d", INGEST_BATCH_MAX="100"
    )
    result = run_python(LOAD, env)
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.startswith(" 100 ") and "'claim_account': '5/30s/ip,100/d'" in result.stdout
    )
