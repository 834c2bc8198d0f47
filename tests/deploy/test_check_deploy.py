"""`manage.py check --deploy` in a production environment, and the settings it implies."""

import json

from tests.deploy.environment import manage, production_env, run_python

SETTINGS = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
]


def production_settings(**overrides: str) -> dict:
    names = ", ".join(f"'{name}'" for name in SETTINGS)
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'\n"
        "from django.conf import settings\n"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in [{names}]}}))"
    )
    result = run_python(code, production_env(**overrides))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_passes_in_production() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_rejects_the_development_key() -> None:
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_production_cookies_are_secure_http_only_and_same_site() -> None:
    settings = production_settings()
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["CSRF_COOKIE_SAMESITE"] == "Lax"


def test_production_redirects_to_https_and_sends_hsts() -> None:
    settings = production_settings()
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert settings["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert settings["SECURE_REFERRER_POLICY"] == "same-origin"
    assert settings["X_FRAME_OPTIONS"] == "DENY"


def test_the_forwarded_proto_header_is_trusted_only_behind_a_declared_proxy() -> None:
    assert production_settings()["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production_settings(TRUSTED_PROXY_COUNT="0")["SECURE_PROXY_SSL_HEADER"] is None


def test_hsts_and_the_redirect_follow_the_environment() -> None:
    settings = production_settings(SECURE_HSTS_SECONDS="3600", SECURE_SSL_REDIRECT="false")
    assert settings["SECURE_HSTS_SECONDS"] == 3600
    assert settings["SECURE_SSL_REDIRECT"] is False
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(SECURE_SSL_REDIRECT="false"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
