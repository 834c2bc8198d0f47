"""Math in Markdown: TeX between `$…$`, `$$…$$`, `\\(…\\)` or `\\[…\\]` rendered as MathML.

Chromium draws MathML Core, so no script is needed under the CSP; the sanitizer in
campaigns/rendering.py allows the MathML tags latex2mathml writes.
"""

from html import escape

from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin


def add_math(md: MarkdownIt) -> None:
    """Teach a parser the math delimiters LLMs write and render what they hold as MathML."""
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.use(texmath_plugin, delimiters="brackets")  # \( … \) and \[ … \], as LLMs often write
    md.inline.ruler.before("escape", "math_display_in_text", _brackets_in_text)
    md.add_render_rule("math_inline", _math_inline)
    for name in ("math_inline_double", "math_display_in_text"):
        md.add_render_rule(name, _math_display_in_text)
    for name in ("math_block", "math_block_label", "math_block_eqno"):
        md.add_render_rule(name, _math_block)


def _math(content: str, *, display: bool) -> str:
    """MathML for TeX; TeX that latex2mathml cannot read is shown as code instead."""
    try:
        mathml = latex_to_mathml(content.strip(), display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - latex2mathml raises many kinds on bad TeX
        mathml = f'<span class="math-error"><code>{escape(content.strip())}</code></span>'
    return mathml


def _math_inline(
    _renderer: object, tokens: list[Token], idx: int, options: object, env: object
) -> str:
    return _math(tokens[idx].content, display=False)


def _math_display_in_text(
    _renderer: object, tokens: list[Token], idx: int, options: object, env: object
) -> str:
    """`$$…$$` or `\\[…\\]` inside a paragraph, as LLMs write right after "is:": shown centred
    on a line of its own (<math display="block"> may sit in a <p>; a <div> may not)."""
    return _math(tokens[idx].content, display=True)


def _math_block(
    _renderer: object, tokens: list[Token], idx: int, options: object, env: object
) -> str:
    return f'<div class="math-block">{_math(tokens[idx].content, display=True)}</div>\n'


def _brackets_in_text(state: StateInline, silent: bool) -> bool:
    """`\\[…\\]` that does not open a block (no blank line before it): display math, not the
    Markdown escape of `[` that would otherwise eat its backslashes."""
    if not state.src.startswith("\\[", state.pos):
        return False
    end = state.src.find("\\]", state.pos + 2)
    if end < 0 or not state.src[state.pos + 2 : end].strip():
        return False
    if not silent:
        token = state.push("math_display_in_text", "math", 0)
        token.content = state.src[state.pos + 2 : end]
        token.markup = "\\["
    state.pos = end + 2
    return True
