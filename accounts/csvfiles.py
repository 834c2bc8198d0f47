"""Credentials files: username, password, login URL. Written once, never kept by crowdeval."""

from collections.abc import Iterable

from django.http import HttpResponse

from accounts.services.provisioning import Credential
from config.csvcells import Writable, safe_writer

HEADER = ("username", "password", "login_url")


def _row(credential: Credential, base_url: str) -> tuple[str, str, str]:
    return credential.username, credential.password, base_url.rstrip("/") + credential.login_path


def write_credentials(out: Writable, credentials: Iterable[Credential], base_url: str) -> int:
    writer = safe_writer(out)
    writer.writerow(HEADER)
    count = 0
    for credential in credentials:
        writer.writerow(_row(credential, base_url))
        count += 1
    return count


def credentials_response(
    credentials: Iterable[Credential], base_url: str, name: str
) -> HttpResponse:
    """A CSV download that no cache or proxy keeps."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    write_credentials(response, credentials, base_url)
    return response
