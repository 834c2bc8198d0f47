"""Responses of the shapes LLMs write render to the structure a chat interface would show.

Each case is checked on the element tree (html.parser), not on substrings. No database needed.
"""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from campaigns.rendering import code_stylesheet, render_markdown

VOID = {"br", "hr"}
OPAQUE = {"math", "code"}  # their inner elements (MathML, Pygments spans) are not the shape


class _Outline(HTMLParser):
    """The element tree as text: `p ol(li li)`; children of OPAQUE elements left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[list[str]] = [[]]
        self.names: list[str] = []
        self.opaque = 0
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if self.opaque:
            if tag not in VOID:
                self.opaque += 1
            return
        if tag in VOID:
            self.stack[-1].append(tag)
            return
        self.names.append(tag)
        self.stack.append([])
        if tag in OPAQUE:
            self.opaque = 1

    def handle_endtag(self, tag: str) -> None:
        if self.opaque > 1:
            self.opaque -= 1
            return
        self.opaque = 0
        children = self.stack.pop()
        name = self.names.pop()
        assert name == tag, f"</{tag}> closes <{name}>"
        self.stack[-1].append(f"{name}({' '.join(children)})" if children else name)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(text: str) -> _Outline:
    parser = _Outline()
    parser.feed(str(render_markdown(text)))
    parser.close()
    assert parser.names == [], "every element is closed"
    return parser


def outline(text: str) -> str:
    return " ".join(parse(text).stack[0])


def elements(text: str, tag: str) -> list[dict[str, str | None]]:
    return [attrs for name, attrs in parse(text).elements if name == tag]


def shown(text: str) -> str:
    """The text a reader sees, whitespace collapsed."""
    return " ".join("".join(parse(text).text).split())


LONG_WORD = "x" * 500
SHAPES = [
    ("Here are the steps:\n1. Open it\n2. Close it", "p ol(li li)"),
    ("Options:\n- one\n- two", "p ul(li li)"),
    ("- a\n  - b\n    - c", "ul(li(ul(li(ul(li)))))"),
    ("- a\n   - b\n   - c", "ul(li(ul(li li)))"),
    ("- a\n    - b\n- c", "ul(li(ul(li)) li)"),
    ("1. a\n2. b\n   - c\n   - d\n3. e", "ol(li li(ul(li li)) li)"),
    ("- a\n  1. b\n  2. c", "ul(li(ol(li li)))"),
    ("1) one\n2) two", "ol(li li)"),
    (
        "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |",
        "table(thead(tr(th th)) tbody(tr(td td) tr(td td)))",
    ),
    ("~~gone~~ kept", "p(s)"),
    ("> quote\n> - a\n> - b", "blockquote(p ul(li li))"),
    ("> 1. a\n> 2. b\n>\n> end", "blockquote(ol(li li) p)"),
    ("above\n\n---\n\nbelow", "p hr p"),
    ("# 1\n## 2\n### 3\n#### 4\n##### 5\n###### 6", "h1 h2 h3 h4 h5 h6"),
    ("Title\n=====\ntext", "h1 p"),
    ("roses are red\nviolets are blue\nsugar is sweet", "p(br br)"),
    ("**bold**, *italic*, ***both***", "p(strong em em(strong))"),
    ("snake_case_words and my_var_name stay", "p"),
    ("a * b * c and 2 * 3", "p"),
    ("a\n\n\n\nb", "p p"),
    ("`inline <b>` code", "p(code)"),
    ("    indented = True", "div(pre(code))"),
    ("```\nno language\n```", "div(pre(code))"),
    ("Footnote[^1].\n\n[^1]: The note.", "p p"),
    ("مرحبا بالعالم\n\n你好，世界 🎉👍🏽", "p p"),
    (f"{LONG_WORD} and a long line " + "word " * 400, "p"),
    ("", ""),
    ("   \n\t\n  ", ""),
]


@pytest.mark.parametrize(("text", "expected"), SHAPES)
def test_it_renders_the_shape_a_chat_interface_shows(text: str, expected: str) -> None:
    assert outline(text) == expected


def test_an_ordered_list_keeps_its_first_number() -> None:
    assert outline("3. three\n4. four") == "ol(li li)"
    assert elements("3. three\n4. four", "ol") == [{"start": "3"}]
    assert elements("1. one", "ol") == [{}]


def test_table_cells_keep_alignment_inline_code_and_escaped_pipes() -> None:
    text = "| left | centre | right |\n|:--|:-:|--:|\n| `a\\|b` | x \\| y | 3 |"
    assert outline(text) == "table(thead(tr(th th th)) tbody(tr(td(code) td td)))"
    styles = [cell["style"] for cell in elements(text, "td")]
    assert styles == ["text-align:left", "text-align:center", "text-align:right"]
    assert "a|b" in shown(text)
    assert "x | y" in shown(text)


def test_a_wide_table_keeps_every_column() -> None:
    header = "| " + " | ".join(f"column {i}" for i in range(14)) + " |"
    rule = "|" + "---|" * 14
    row = "| " + " | ".join("a-rather-long-cell-value" for _ in range(14)) + " |"
    text = "\n".join([header, rule, row, row])
    assert len(elements(text, "th")) == 14
    assert len(elements(text, "td")) == 28


def test_task_lists_are_glyphs_and_never_form_controls() -> None:
    text = "- [ ] todo\n- [x] done\n  - [X] nested"
    assert outline(text) == "ul(li li(ul(li)))"
    assert elements(text, "input") == []
    assert shown(text) == "\u2610\ufe0e todo \u2611\ufe0e done \u2611\ufe0e nested"
    assert {item["class"] for item in elements(text, "li")} == {"task-list-item"}


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("See https://example.org/a?b=1.", "https://example.org/a?b=1"),
        ("See <https://example.org>", "https://example.org"),
        ("Visit www.example.org today", "http://www.example.org"),
        ("Mail a@example.org", "mailto:a@example.org"),
        ("[the docs](https://docs.example.org/x)", "https://docs.example.org/x"),
    ],
)
def test_urls_become_links_that_cannot_reach_the_opener(text: str, href: str) -> None:
    [link] = elements(text, "a")
    assert link["href"] == href
    assert link["rel"] == "noopener noreferrer nofollow"


def test_file_names_are_not_taken_for_domains() -> None:
    assert elements("Edit main.py, run setup.sh and read README.md.", "a") == []


@pytest.mark.parametrize(
    ("language", "source", "token_class"),
    [
        ("python", "def f(x):\n    return x", "k"),
        ("js", "const x = () => 1;", "kd"),
        ("ts", "let n: number = 1;", "kt"),
        ("bash", "echo $HOME | grep x", "nv"),
        ("sql", "SELECT id FROM t WHERE a = 1;", "k"),
        ("json", '{"a": [1, true]}', "nt"),
        ("rust", "fn main() { let x = 1; }", "k"),
        ("go", "func main() { fmt.Println(1) }", "kd"),
        ("c++", "int main() { return 0; }", "kt"),
        ("html", "<p class='x'>hi</p>", "nt"),
    ],
)
def test_fenced_code_is_highlighted_and_labelled(
    language: str, source: str, token_class: str
) -> None:
    text = f"Here is the code:\n```{language}\n{source}\n```"
    assert outline(text) == "p div(pre(code))"
    assert elements(text, "div") == [{"class": "code-block", "data-lang": language}]
    classes = {attrs.get("class") for attrs in elements(text, "span")}
    assert token_class in classes
    assert shown(text).endswith(" ".join(source.split()))


def test_an_unknown_language_is_labelled_but_not_highlighted() -> None:
    text = "```brainfsck\n+[-->+<]\n```"
    assert elements(text, "div") == [{"class": "code-block", "data-lang": "brainfsck"}]
    assert elements(text, "span") == []
    assert shown(text) == "+[-->+<]"


def test_code_with_script_and_dollars_is_shown_verbatim() -> None:
    source = "<script>alert(1)</script>\nprice = '$5 and $10'\nmath = '$x$'"
    indented = "\n".join("    " + line for line in source.splitlines())
    for text in (f"```html\n{source}\n```", f"```\n{source}\n```", indented):
        assert elements(text, "script") == []
        assert elements(text, "math") == []
        assert shown(text) == " ".join(source.split())


@pytest.mark.parametrize(
    ("text", "display"),
    [
        ("Einstein: $E=mc^2$.", "inline"),
        ("Inline \\(a^2 + b^2\\) here", "inline"),
        ("$$\n\\int_0^1 x\\,dx\n$$", "block"),
        ("$$E = mc^2$$", "block"),
        ("\\[\n\\sum_{i=1}^n i\n\\]", "block"),
    ],
)
def test_tex_becomes_mathml(text: str, display: str) -> None:
    [math] = elements(text, "math")
    assert math["display"] == display
    assert "$" not in shown(text)


def test_display_math_right_after_a_sentence_stays_display() -> None:
    for text in ("The area is:\n$$\n\\pi r^2\n$$\nwhere r is", "It is \\[ \\pi r^2 \\] here"):
        assert [m["display"] for m in elements(text, "math")] == ["block"]
        assert "[" not in shown(text), "the brackets are delimiters, not text"


def test_a_block_of_math_is_its_own_element() -> None:
    assert outline("Before\n\n$$\nx^2\n$$\n\nAfter") == "p div(math) p"


@pytest.mark.parametrize(
    "text",
    [
        "It costs $5 and $10.",
        "Between $5 and $10, or $1,000 to $2,000.",
        "Prices: $5-$10 per month",
        "I have $5. You have $3.",
        "Set $PATH and $HOME first.",
    ],
)
def test_currency_and_shell_variables_are_not_math(text: str) -> None:
    assert elements(text, "math") == []
    assert shown(text) == text


def test_bad_tex_is_shown_as_code() -> None:
    for text, source in [
        ("$\\frac{1}{$", "\\frac{1}{"),
        ("$$\n\\begin{bogus}\n$$", "\\begin{bogus}"),
    ]:
        assert elements(text, "math") == []
        assert elements(text, "span") == [{"class": "math-error"}]
        assert shown(text) == source


def test_html_in_text_is_shown_as_text() -> None:
    text = "Use <div>x</div>, a <br> and <script>alert(1)</script>\n\n<details>d</details>"
    assert outline(text) == "p p"
    assert "<div>x</div>" in shown(text)
    assert "<script>alert(1)</script>" in shown(text)


@pytest.mark.parametrize(
    "text",
    [
        '<img src=x onerror="alert(1)">',
        "![chart](https://example.org/chart.png)",
        "[x](javascript:alert(1))",
        '<form><input name="q-pref" value="2"><button>Go</button></form>',
        "<style>body{display:none}</style><iframe src=//e.x></iframe>",
        "| a |\n|---|\n| <select><option>1</option></select> |",
        "<svg onload=alert(1)><a xlink:href=javascript:alert(1)>x</a></svg>",
        "$\\href{javascript:alert(1)}{x}$ and $\\style{color:red}{x}$",
    ],
)
def test_records_never_inject_controls_images_scripts_styles_or_handlers(text: str) -> None:
    forbidden = {"img", "form", "input", "button", "select", "textarea", "script", "style"}
    forbidden |= {"iframe", "svg", "object", "embed", "link", "meta"}
    for tag, attrs in parse(text).elements:
        assert tag not in forbidden
        assert not any(name.startswith("on") or name == "style" for name in attrs if tag != "td")
        assert not (attrs.get("href") or "").startswith("javascript:")


def test_an_image_is_replaced_by_its_description() -> None:
    assert shown("![a chart of sales](https://e.x/c.png)") == "[image: a chart of sales]"


def test_a_response_with_everything_renders_in_order() -> None:
    text = (
        "## Answer\n\nHere is how:\n1. Install\n2. Run:\n   ```bash\n   make\n   ```\n"
        "3. Check $x > 0$\n\n| k | v |\n|---|---|\n| a | 1 |\n\n> Note: done."
    )
    assert outline(text) == (
        "h2 p ol(li li(div(pre(code))) li(math)) table(thead(tr(th)) tbody(tr(td))) blockquote(p)"
    ).replace("tr(th)", "tr(th th)").replace("tr(td)", "tr(td td)")


def test_the_served_code_stylesheet_is_the_generated_one() -> None:
    served = Path(__file__).resolve().parents[2] / "campaigns/static/campaigns/code.css"
    assert served.read_text() == code_stylesheet(), (
        "write it again: .venv/bin/python -c 'from campaigns.rendering import code_stylesheet; "
        'print(code_stylesheet(), end="")\' > campaigns/static/campaigns/code.css'
    )
