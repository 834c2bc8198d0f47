"""The options of every export, with their documented defaults (docs/formats.md#exports)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from scoring.metrics.preferences import STRATEGIES, Strategy

SHAPES = ("standard", "conversational")
# A question name as the campaign form allows it (a slug); anything else is never looked up.
QUESTION_NAME = re.compile(r"^[-a-zA-Z0-9_]{1,64}$")
MARGINS = ("scale", "votes", "none")
TRUE = ("1", "true", "yes", "on")  # "on": an HTML checkbox


@dataclass(frozen=True)
class ExportOptions:
    include_excluded: bool = False
    # preferences and sft
    strategy: Strategy = "all_pairs"
    ties: str = "drop"  # or "keep" (then marked with tie: true)
    weight: str = "none"  # or "quality": votes weigh the annotator's latest quality
    min_votes: int = 1
    min_agreement: float = 0.0
    include_gold: bool = False
    include_control: bool = False
    text_question: str = ""  # sft: export the answers of this free-text question instead
    # TRL's two dataset shapes: texts as strings, or as lists of chat messages
    shape: str = "standard"
    # preferences: what `margin` measures (docs/formats.md#margins), or "none" for no column
    margin: str = "scale"
    # responses
    usernames: bool = False

    def problems(self) -> list[str]:
        found = []
        if self.strategy not in STRATEGIES:
            found.append(f"strategy must be one of {', '.join(STRATEGIES)}")
        if self.ties not in ("drop", "keep"):
            found.append("ties must be 'drop' or 'keep'")
        if self.weight not in ("none", "quality"):
            found.append("weight must be 'none' or 'quality'")
        if self.shape not in SHAPES:
            found.append(f"shape must be one of {', '.join(SHAPES)}")
        if self.margin not in MARGINS:
            found.append(f"margin must be one of {', '.join(MARGINS)}")
        if self.shape == "conversational" and self.ties == "keep":
            found.append(
                "ties never appear in a conversational (TRL) file; "
                "keep them with the standard shape, where a tie column marks them"
            )
        if self.text_question and not QUESTION_NAME.match(self.text_question):
            found.append("text_question must be a question name (letters, digits, - and _)")
        if self.min_votes < 1:
            found.append("min_votes must be at least 1")
        if not 0.0 <= self.min_agreement <= 1.0:
            found.append("min_agreement must be between 0 and 1")
        return found

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> "ExportOptions":
        """The options named in a URL's query (the export API, the dashboard's export form);
        absent ones take their defaults. ValueError names a number that is not one; problems()
        then says what else is wrong."""

        def flag(name: str) -> bool:
            return query.get(name, "").lower() in TRUE

        def number(name: str, kind: type[int] | type[float], default: str) -> int | float:
            text = query.get(name, "") or default
            try:
                return kind(text)
            except ValueError:
                raise ValueError(f"{name} must be a number, not {text[:40]!r}") from None

        return cls(
            include_excluded=flag("include_excluded"),
            strategy=query.get("strategy", "all_pairs"),  # type: ignore[arg-type]
            ties=query.get("ties", "drop"),
            weight=query.get("weight", "none"),
            min_votes=int(number("min_votes", int, "1")),
            min_agreement=float(number("min_agreement", float, "0")),
            include_gold=flag("include_gold"),
            include_control=flag("include_control"),
            text_question=query.get("text_question", ""),
            usernames=flag("usernames"),
            shape=query.get("shape", "standard"),
            margin=query.get("margin", "scale"),
        )
