"""Markdown from records and guidelines is rendered, and anything executable is made inert."""

from campaigns.rendering import render_markdown


def test_it_renders_code_blocks_lists_and_tables() -> None:
    html = render_markdown(
        "```python\nprint(1)\n```\n\n- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |"
    )
    assert '<code class="language-python">print(1)' in html
    assert "<li>a</li>" in html
    assert "<td>1</td>" in html


def test_scripts_and_event_handlers_never_survive() -> None:
    html = render_markdown(
        "Hi <script>alert('x')</script> <img src=x onerror=alert(1)> "
        '<a href="javascript:alert(1)">link</a> <iframe src="https://e.x"></iframe>'
    )
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html
    assert "<img" not in html


def test_links_are_kept_but_cannot_reach_the_opener() -> None:
    html = render_markdown("[docs](https://example.org)")
    assert 'href="https://example.org"' in html
    assert "noopener" in html
