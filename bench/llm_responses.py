"""Markdown of the shapes LLMs write (long prose, tables, code, math), made up and reproducible.

Used by the rendering benchmark and by the browser tests of the task page. Imports no project
code and no Django.
"""

import random

WORDS = [
    "model", "response", "answer", "data", "value", "result", "method", "system", "example",
    "user", "function", "table", "query", "index", "memory", "cache", "request", "server",
    "client", "latency", "error", "test", "case", "step", "input", "output", "first", "second",
    "then", "also", "because", "however", "therefore", "quickly", "carefully", "usually", "often",
    "the", "a", "of", "to", "and", "in", "is", "that", "it", "for", "on", "with", "as", "by",
    "this", "be", "are", "can", "which", "from", "at", "or", "an", "will",
]  # fmt: skip
LANGUAGES = {
    "python": "def total(items: list[int]) -> int:\n    # sum the positive ones\n"
    "    return sum(x for x in items if x > 0)\n\nprint(total([1, -2, 3]))",
    "javascript": "const total = (items) => items\n  .filter((x) => x > 0)\n"
    "  .reduce((a, b) => a + b, 0);\nconsole.log(total([1, -2, 3]));",
    "typescript": "interface Row { id: number; name: string }\n"
    "export function names(rows: Row[]): string[] {\n  return rows.map((r) => r.name);\n}",
    "bash": 'for f in *.log; do\n  grep -c "ERROR" "$f" >> counts.txt\ndone\necho "$HOME"',
    "sql": "SELECT user_id, COUNT(*) AS n\nFROM judgements\nWHERE created_at > now() - "
    "interval '1 day'\nGROUP BY user_id\nORDER BY n DESC\nLIMIT 10;",
    "json": '{\n  "id": "r1",\n  "responses": [{"model": "a", "text": "hi"}],\n  "gold": null\n}',
    "rust": 'fn main() {\n    let v: Vec<i32> = (1..=10).collect();\n    println!("{}", '
    "v.iter().sum::<i32>());\n}",
    "go": 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello")\n}',
    "c++": "#include <vector>\nint main() {\n  std::vector<int> v{1, 2, 3};\n"
    "  return static_cast<int>(v.size());\n}",
    "html": '<form action="/x" method="post">\n  <input name="q">\n  '
    "<script>alert('not run')</script>\n</form>",
}


def sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def paragraph(rng: random.Random, sentences: int = 5) -> str:
    return " ".join(sentence(rng, rng.randint(8, 20)) for _ in range(sentences))


def table(rng: random.Random, columns: int, rows: int) -> str:
    header = "| " + " | ".join(f"{rng.choice(WORDS).title()} {i}" for i in range(columns)) + " |"
    rule = "|" + "|".join(":---" if i == 0 else "---:" for i in range(columns)) + "|"
    body = [
        "| `"
        + rng.choice(WORDS)
        + "` | "
        + " | ".join(f"{rng.random() * 1000:.2f}" for _ in range(columns - 1))
        + " |"
        for _ in range(rows)
    ]
    return "\n".join([header, rule, *body])


def code(language: str) -> str:
    return f"```{language}\n{LANGUAGES[language]}\n```"


def long_response(seed: int = 1, words: int = 3000) -> str:
    """About `words` words: headings, paragraphs, lists right after a sentence, code, math."""
    rng = random.Random(seed)
    parts = ["Here is a detailed answer, section by section."]
    section = 0
    while sum(len(part.split()) for part in parts) < words:
        section += 1
        parts.append(f"## {section}. {sentence(rng, 4)[:-1]}")
        parts.append(paragraph(rng, rng.randint(4, 8)))
        parts.append(
            "The steps are:\n"
            + "\n".join(f"{i}. {sentence(rng, 10)}" for i in range(1, 5))
            + "\n   - "
            + sentence(rng, 6)
        )
        if section % 3 == 0:
            parts.append(code(rng.choice(sorted(LANGUAGES))))
        if section % 4 == 0:
            parts.append("The cost grows as $O(n \\log n)$, and in total:\n$$\n\\sum_{i=1}^n i")
            parts[-1] += " = \\frac{n(n+1)}{2}\n$$"
        parts.append(paragraph(rng, 3))
    return "\n\n".join(parts)


def table_response(seed: int = 2) -> str:
    """Several tables, one of them wider than any pane, with prose between."""
    rng = random.Random(seed)
    return "\n\n".join(
        [
            "Here is the comparison you asked for:",
            table(rng, 4, 8),
            paragraph(rng, 2),
            "And the full breakdown by quarter:",
            table(rng, 14, 12),
            "| Option | Pros | Cons |\n|---|---|---|\n"
            "| A `x \\| y` | fast, ~~costly~~ cheap | none |\n| B | simple | slow |",
            paragraph(rng, 2),
        ]
    )


def code_response(seed: int = 3) -> str:
    """Code in many languages, one line much wider than a pane, inline code between."""
    rng = random.Random(seed)
    parts = ["Here is an implementation in several languages:"]
    for language in LANGUAGES:
        parts.append(f"In **{language}**, `total()` looks like this:\n{code(language)}")
    parts.append(
        "```python\nresult = compute("
        + ", ".join(f"argument_{i}={i}" for i in range(30))
        + ")\n```"
    )
    parts.append("    indented_code = True  # four spaces\n    print(indented_code)")
    parts.append(paragraph(rng, 2))
    return "\n\n".join(parts)


def corpus(count: int = 60) -> list[str]:
    """Texts for the benchmark: mostly medium answers, some long, table- and code-heavy ones."""
    texts = []
    for i in range(count):
        kind = i % 4
        if kind == 0:
            texts.append(long_response(seed=i, words=3000))
        elif kind == 1:
            texts.append(table_response(seed=i))
        elif kind == 2:
            texts.append(code_response(seed=i))
        else:
            texts.append(long_response(seed=i, words=400))
    return texts
