"""Markdown from records and guidelines is rendered, and anything executable is made inert."""

import pytest
from django.core.cache import cache

from campaigns import rendering
from campaigns.rendering import render_markdown, render_shared


def test_it_renders_code_blocks_lists_and_tables() -> None:
    html = render_markdown(
        "```python\nprint(1)\n```\n\n- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |"
    )
    assert '<div class="code-block" data-lang="python"><pre><code><span class="nb">print' in html
    assert "<li>a</li>" in html
    assert "<td>1</td>" in html


def test_scripts_and_event_handlers_never_survive() -> None:
    html = render_markdown(
        "Hi <script>alert('x')</script> <img src=x onerror=alert(1)> "
        '<a href="javascript:alert(1)">link</a> <iframe src="https://e.x"></iframe>'
    )
    assert "<script" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert 'href="javascript:' not in html.replace("&lt;a href=", "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html, "raw HTML is shown as text"


def test_links_are_kept_but_cannot_reach_the_opener() -> None:
    html = render_markdown("[docs](https://example.org)")
    assert 'href="https://example.org"' in html
    assert "noopener" in html


def test_shared_rendering_renders_each_text_once_across_processes(monkeypatch) -> None:
    cache.clear()
    rendered: list[str] = []
    original = rendering.render_markdown

    def render(text: str) -> str:
        rendered.append(text)
        return original(text)

    monkeypatch.setattr(rendering, "render_markdown", render)
    first = render_shared(["# Title", "*one*", "two <script>x</script>"])
    again = render_shared(["*one*", "# Title"])  # another process: the cache holds them
    assert rendered == ["# Title", "*one*", "two <script>x</script>"]
    assert again == [first[1], first[0]]
    assert "<script" not in first[2]
    assert first[1] == "<p><em>one</em></p>"


@pytest.mark.parametrize("text", ["", "plain", "two\n\nparagraphs"])
def test_shared_rendering_equals_rendering(text: str) -> None:
    cache.clear()
    assert render_shared([text]) == [render_markdown(text)]
