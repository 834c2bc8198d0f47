"""Template filters: sanitized Markdown; names and titles that cannot turn the page around."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from campaigns.rendering import render_markdown, strip_bidi

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text or "")


@register.filter(name="isolated")
def isolated(value: object) -> SafeString:
    """A name someone chose (display name, campaign title), as its own bidi island: <bdi> keeps
    right-to-left text from reordering what follows, and override controls are dropped."""
    return format_html("<bdi>{}</bdi>", strip_bidi(str(value)))


@register.filter(name="unbidi")
def unbidi(value: object) -> str:
    """The same for places where no element may go (the page's <title>)."""
    return strip_bidi(str(value))
