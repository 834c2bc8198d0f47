"""Markdown to sanitized HTML for everything written by organizers or loaded from records."""

from functools import lru_cache

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s",
    "del", "code", "pre", "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr",
    "th", "td", "a", "span", "sub", "sup", "dl", "dt", "dd",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}, "th": {"align"}, "td": {"align"}}


@lru_cache(maxsize=1024)
def render_markdown(text: str) -> SafeString:
    """Render Markdown, then keep only a small allow-list of tags and attributes.

    Raw HTML in the source is escaped by nh3 when its tag is not allowed, so a `<script>` or an
    `onerror=` handler in a record can never run; links get rel="noopener noreferrer nofollow".
    Records never change and each is shown to several people: the result is cached per process.
    """
    html = markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 on the line above
