"""Markdown to sanitized HTML for everything written by organizers or loaded from records.

Responses are rendered the way chat interfaces show them, so that a preference is about the
model and not about the renderer: CommonMark + GFM (tables, strikethrough, task lists,
autolinks), single line breaks kept, math as MathML (Chromium draws it; no script under the CSP),
code highlighted on the server by Pygments with its language shown. Raw HTML in a text is shown
as text, as chat interfaces do, and nh3 still cleans the output (defence in depth).
Imports no model: callers pass strings.
"""

import hashlib
import re
import threading
from functools import lru_cache
from html import escape

import nh3
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

from campaigns.rendering_math import add_math

_HTML_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s",
    "del", "code", "pre", "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr",
    "th", "td", "a", "span", "sub", "sup", "dl", "dt", "dd", "div",
}  # fmt: skip
# MathML Core, as latex2mathml writes it; nothing else is added for math.
_MATHML_TAGS = {
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "mfrac", "msqrt", "mroot", "msub", "msup", "msubsup", "munder", "mover", "munderover",
    "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "merror",
    "mmultiscripts", "mprescripts", "none",
}  # fmt: skip
_MATHML_ATTRIBUTES = {
    "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "accent",
    "accentunder", "columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines",
    "rowlines", "displaystyle", "scriptlevel", "minsize", "maxsize", "movablelimits",
    "symmetric", "linethickness", "width", "height", "depth", "notation", "xmlns", "encoding",
    "form", "largeop", "frame",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
    "div": {"data-lang"},
    **{tag: _MATHML_ATTRIBUTES for tag in _MATHML_TAGS},
}
# Classes the page's stylesheet knows; any other class written into a record is dropped.
_CODE_CLASSES = {name for name in STANDARD_TYPES.values() if name}
_CLASSES = {
    "span": _CODE_CLASSES | {"math-error"},
    "div": {"code-block", "math-block"},
    "li": {"task-list-item"},
    "ul": {"contains-task-list"},
}
_ALIGNMENTS = {"text-align:left", "text-align:center", "text-align:right"}
_FORMATTER = HtmlFormatter(nowrap=True)
_MAY_LINK = re.compile(r"://|www\.|@", re.IGNORECASE)
_CHECKBOX = {True: "\u2611\ufe0e", False: "\u2610\ufe0e"}
# Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): a text that carries
# them can reverse the text around it (a record's, a name's) on the page. Marks (U+200E/F) stay.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


@lru_cache(maxsize=128)
def _lexer(language: str) -> Lexer | None:
    """Pygments' lexer for a fence's language, or None; finding one by name scans every lexer
    Pygments has (about 2 ms), and an instance serves any number of texts."""
    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return None


def _code_block(content: str, info: str) -> str:
    """A fenced block: its language shown above it, tokens highlighted by Pygments."""
    language = info.strip().split(maxsplit=1)[0] if info.strip() else ""
    lexer = _lexer(language.lower()[:40]) if language else None
    body = highlight(content, lexer, _FORMATTER) if lexer is not None else None
    label = escape(language[:40])
    code = body if body is not None else escape(content)
    return f'<div class="code-block" data-lang="{label}"><pre><code>{code}</code></pre></div>\n'


def _fence(_renderer: object, tokens: list[Token], idx: int, options: object, env: object) -> str:
    token = tokens[idx]
    return _code_block(token.content, token.info)


def _code_indented(
    _renderer: object, tokens: list[Token], idx: int, options: object, env: object
) -> str:
    return _code_block(tokens[idx].content, "")


def _image_as_text(
    _renderer: object, tokens: list[Token], idx: int, options: object, env: object
) -> str:
    """Images are never loaded (a record must not make the browser fetch anything): their
    description is shown instead, so that the annotator still sees one was there."""
    alt = "".join(child.content for child in tokens[idx].children or [])
    return escape(f"[image: {alt}]" if alt else "[image]")


def _links_need_a_scheme_or_www(state: StateCore) -> None:
    """GFM links bare URLs only with a scheme or `www.`: `main.py` or `README.md` is a file
    name in a response, not a link to Paraguay or Moldova (linkify's fuzzy matching)."""
    for block in state.tokens:
        children = block.children or []
        keep: list[Token] = []
        unwrapping = False
        for i, child in enumerate(children):
            if child.type == "link_open" and child.markup == "linkify":
                text = children[i + 1].content if i + 1 < len(children) else ""
                unwrapping = not ("://" in text or text.lower().startswith("www.") or "@" in text)
                if unwrapping:
                    continue
            elif child.type == "link_close" and child.markup == "linkify" and unwrapping:
                unwrapping = False
                continue
            keep.append(child)
        if len(keep) != len(children):
            block.children = keep


def _checkboxes_as_glyphs(state: StateCore) -> None:
    """Task-list items show ☐/☑ instead of <input>: no form control may enter the task form."""
    for block in state.tokens:
        for i, child in enumerate(block.children or []):
            if child.type == "html_inline" and "task-list-item-checkbox" in child.content:
                text = Token("text", "", 0)
                text.content = _CHECKBOX['checked="checked"' in child.content]
                block.children[i] = text  # type: ignore[index]


def _build() -> MarkdownIt:
    md = MarkdownIt("gfm-like", {"breaks": True, "html": False, "linkify": True})
    md.core.ruler.after("linkify", "links-need-a-scheme", _links_need_a_scheme_or_www)
    # linkify's own pretest is one large regex per paragraph (a third of a long response's
    # time); only text with one of these can keep a link after the rule above.
    linkify = md.linkify
    if linkify is None:
        raise RuntimeError("the linkify option needs linkify-it-py")
    pretest = linkify.pretest
    linkify.pretest = lambda text: _MAY_LINK.search(text) is not None and pretest(text)
    md.use(tasklists_plugin)
    md.core.ruler.after("github-tasklists", "task-glyphs", _checkboxes_as_glyphs)
    add_math(md)
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _code_indented)
    md.add_render_rule("image", _image_as_text)
    return md


_local = threading.local()


def _parser() -> MarkdownIt:
    """One parser per thread: building one (its rules and plugins) costs more than a text."""
    parser: MarkdownIt | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = _build()
    return parser


def _table_alignment(element: str, attribute: str, value: str) -> str | None:
    """Keep only the alignment markdown-it writes on table cells (`text-align:…`)."""
    if attribute == "style":
        return value if value in _ALIGNMENTS else None
    return value


# Built once: nh3.clean() turns these allow-lists into a new sanitizer on every call, which cost
# ~150 µs a text (five times the Markdown parse of a short response); a Cleaner keeps its own.
_CLEANER = nh3.Cleaner(
    tags=_HTML_TAGS | _MATHML_TAGS,
    attributes=_ATTRIBUTES,
    allowed_classes=_CLASSES,
    attribute_filter=_table_alignment,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
)


@lru_cache(maxsize=1024)
def render_markdown(text: str) -> SafeString:
    """Render Markdown, then keep only an allow-list of tags, attributes and classes.

    Raw HTML is escaped by the parser and anything else nh3 does not allow is dropped, so a
    `<script>` or an `onerror=` handler in a record can never run; links get
    rel="noopener noreferrer nofollow". Records never change and each is shown to several people:
    the result is cached per process.
    """
    html = _parser().render(text).strip()
    clean = _CLEANER.clean(html)
    return mark_safe(strip_bidi(clean))  # noqa: S308 - sanitized by nh3 on the line above


def strip_bidi(text: str) -> str:
    """The text without bidi embedding, override and isolate controls."""
    return _BIDI_CONTROLS.sub("", text)


def code_stylesheet() -> str:
    """The Pygments rules for highlighted code, scoped to rendered code blocks.

    Served as the static file campaigns/static/campaigns/code.css, cached by browsers and
    linked wherever Markdown is shown; a test keeps that file equal to this and says how to
    write it again.
    """
    return "/* Generated by campaigns.rendering.code_stylesheet(); do not edit. */\n" + (
        "\n".join(_FORMATTER.get_token_style_defs(".code-block")) + "\n"
    )


# The engine serves the fullest record first, so a record's `overlap` views come within seconds
# of each other; two minutes covers them and bounds the cache at (records served per second) ×
# 120 s × the size of their HTML.
SHARED_SECONDS = 120
_SHARED_PREFIX = "md2:"


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
