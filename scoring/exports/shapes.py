"""TRL's two dataset shapes: a record's texts as plain strings, or as lists of chat messages.

The conversational shape carries the whole conversation (system prompt, earlier turns, the final
user turn) as the prompt and each response as one assistant message; the standard shape carries
the final user turn alone. Ties never reach a conversational file (ExportOptions refuses it).
"""

from collections.abc import Sequence
from typing import Any

from campaigns.models import Record
from scoring.exports.options import ExportOptions
from scoring.metrics.preferences import Pair

Message = dict[str, str]


def conversation(record: Record) -> list[Message]:
    """The messages a chat model saw before answering: what TRL applies the chat template to."""
    turns = [{"role": "system", "content": record.system_prompt}] if record.system_prompt else []
    turns += [{"role": m["role"], "content": m["content"]} for m in record.messages]
    turns.append({"role": "user", "content": record.prompt})
    return turns


def reply(text: str) -> list[Message]:
    return [{"role": "assistant", "content": text}]


def prompt_value(record: Record, options: ExportOptions) -> str | list[Message]:
    return conversation(record) if options.shape == "conversational" else record.prompt


def response_value(text: str, options: ExportOptions) -> str | list[Message]:
    return reply(text) if options.shape == "conversational" else text


def margin(pair: Pair, how: str) -> float:
    """`scale`: how strongly, on average, the votes preferred `chosen` (a preference question's
    ±3 = 1; a ranking has no strength, so there it is the net share below); `votes`: the net
    share of the votes, (for − against) / (for + against), whatever the question kind."""
    if how == "scale":
        return pair.margin
    return 0.0 if pair.tie else 2.0 * pair.agreement - 1.0


def preference_fields(options: ExportOptions, fields: Sequence[str]) -> tuple[str, ...]:
    dropped = {"margin"} if options.margin == "none" else set()
    if options.shape == "conversational":
        dropped.add("tie")
    return tuple(name for name in fields if name not in dropped)


SFT_CONVERSATIONAL = ("messages", "model", "votes", "agreement", "record_id")


def sft_fields(options: ExportOptions, fields: Sequence[str]) -> tuple[str, ...]:
    return SFT_CONVERSATIONAL if options.shape == "conversational" else tuple(fields)


def sft_row(record: Record, text: str, options: ExportOptions, **rest: Any) -> dict[str, Any]:
    if options.shape == "conversational":
        return {"messages": conversation(record) + reply(text), **rest}
    return {"prompt": record.prompt, "completion": text, **rest}
