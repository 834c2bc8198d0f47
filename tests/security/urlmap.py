"""Every URL of the site, from the URL conf, with concrete values for its parameters.

Django admin counts as its index, each registered model's changelist and add page, and the
custom views a ModelAdmin adds; the rest of admin's patterns are the same few views again.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse

from campaigns.models import Annotator, Assignment, Campaign

STANDARD_ADMIN_VIEWS = ("changelist", "add", "change", "delete", "history")


@dataclass(frozen=True)
class Route:
    key: str  # the pattern's qualified name, or its route string when it has none
    route: str  # the full route string, for messages
    name: str | None  # the qualified name, to reverse
    params: "Params"  # (parameter, converter kind) pairs


def _converter_kind(converter: Any) -> str:
    return type(converter).__name__.removesuffix("Converter").lower()


def _params(pattern: URLPattern | URLResolver) -> "Params":
    converters = getattr(pattern.pattern, "converters", {})
    if converters:
        return tuple((name, _converter_kind(c)) for name, c in converters.items())
    groups = pattern.pattern.regex.groupindex
    return tuple((name, "regex") for name in groups)


def _admin_routes() -> Iterator[Route]:
    """The admin index, each registered model's changelist and add page, and custom views."""
    yield Route("admin:index", "admin/", "admin:index", ())
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        base = f"{model._meta.app_label}_{model._meta.model_name}"
        for view in ("changelist", "add"):
            yield Route(f"admin:{base}_{view}", prefix, f"admin:{base}_{view}", ())
        for pattern in model_admin.get_urls():
            name = getattr(pattern, "name", None)
            if name and name not in {f"{base}_{v}" for v in STANDARD_ADMIN_VIEWS}:
                route = prefix + str(pattern.pattern)
                yield Route(f"admin:{name}", route, f"admin:{name}", _params(pattern))


Params = tuple[tuple[str, str], ...]


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = "", params: Params = ()
) -> Iterator[Route]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        found = params + _params(pattern)
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                yield from _admin_routes()
                continue
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, route, inner, found)
        else:
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield Route(name or route, route, name, found)


def site_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


ROUTES = site_routes()


@dataclass
class Site:
    campaign: Campaign
    annotator: Annotator  # the annotator role's own membership
    others_assignment: Assignment  # leased by another annotator
    clients: dict[str, Client]


def _values(site: Site, name: str, kind: str) -> list[Any]:
    """Candidate values for one URL parameter, most meaningful first."""
    by_name: dict[str, Any] = {
        "annotator_id": site.annotator.pk,
        "public_id": site.others_assignment.public_id,
        "pk": site.campaign.pk,
        "id": site.annotator.user_id,
        "name": "responses",  # an export
        "fmt": "csv",
    }
    by_kind: dict[str, Any] = {
        "slug": site.campaign.slug,
        "int": 999999,
        "uuid": site.others_assignment.public_id,
    }
    found = [by_name[name]] if name in by_name else []
    return [*found, by_kind.get(kind, "no-such-token"), "nosuchtoken", "0"]


def concrete_path(site: Site, route: Route) -> str:
    """Reverse the pattern with the first candidate values that resolve back to it."""
    name = route.name
    assert name, f"{route.route} has no name: give it one so that it can be reverse()d"
    candidates = [_values(site, param, kind) for param, kind in route.params]
    for attempt in range(max((len(c) for c in candidates), default=1)):
        kwargs = {
            p: c[min(attempt, len(c) - 1)]
            for (p, _), c in zip(route.params, candidates, strict=True)
        }
        try:
            path = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
        if resolve(path).view_name == name:
            return path
    raise AssertionError(f"no value fills {route.route}")
