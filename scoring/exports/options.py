"""The options of every export, with their documented defaults (docs/formats.md#exports)."""

from dataclasses import dataclass

from scoring.metrics.preferences import STRATEGIES, Strategy


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
        if self.min_votes < 1:
            found.append("min_votes must be at least 1")
        if not 0.0 <= self.min_agreement <= 1.0:
            found.append("min_agreement must be between 0 and 1")
        return found
