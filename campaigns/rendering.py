"""Markdown to sanitized HTML for everything written by organizers or loaded from records."""

import hashlib
import threading
from functools import lru_cache

import markdown
import nh3
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s",
    "del", "code", "pre", "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr",
    "th", "td", "a", "span", "sub", "sup", "dl", "dt", "dd",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}, "th": {"align"}, "td": {"align"}}


_local = threading.local()


def _converter() -> markdown.Markdown:
    """One Markdown instance per thread: building one (loading its extensions) cost twice as
    much as converting a typical response; `reset()` clears its state between texts."""
    converter: markdown.Markdown | None = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = markdown.Markdown(
            extensions=["fenced_code", "tables", "sane_lists"]
        )
    return converter


@lru_cache(maxsize=1024)
def render_markdown(text: str) -> SafeString:
    """Render Markdown, then keep only a small allow-list of tags and attributes.

    Raw HTML in the source is escaped by nh3 when its tag is not allowed, so a `<script>` or an
    `onerror=` handler in a record can never run; links get rel="noopener noreferrer nofollow".
    Records never change and each is shown to several people: the result is cached per process.
    """
    html = _converter().reset().convert(text)
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 on the line above


# The engine serves the fullest record first, so a record's `overlap` views come within seconds
# of each other; two minutes covers them and bounds the cache at (records served per second) ×
# 120 s × the size of their HTML.
SHARED_SECONDS = 120
_SHARED_PREFIX = "md:"


def render_shared(texts: list[str]) -> list[SafeString]:
    """Render several texts, sharing the results between processes through the cache.

    A record is shown to `overlap` people, usually within seconds and by different web
    processes, each of which would render it again (a long response with code takes
    milliseconds). The first renders and stores the sanitized HTML for SHARED_SECONDS; the others
    read it in one round trip. Keys are digests of the source text, so a record that changed
    would simply miss. The cache fails open: without Redis every process renders for itself.
    """
    keys = [_SHARED_PREFIX + hashlib.blake2b(t.encode(), digest_size=16).hexdigest() for t in texts]
    found = cache.get_many(keys)
    missing: dict[str, str] = {}
    html: list[SafeString] = []
    for key, text in zip(keys, texts, strict=True):
        if key in found:
            html.append(mark_safe(found[key]))  # noqa: S308 - stored after nh3 sanitized it
        else:
            rendered = render_markdown(text)
            missing[key] = str(rendered)
            html.append(rendered)
    if missing:
        cache.set_many(missing, SHARED_SECONDS)
    return html
