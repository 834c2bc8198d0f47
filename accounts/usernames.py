"""Readable usernames for generated accounts (`brave-otter-4821`). Pure Python, no Django.

The word lists were written for crowdeval: short, friendly, easy to read aloud and to type, and
none of them unkind. 120 × 120 × 9,000 gives 129,600,000 names, so collisions are rare and are
handled by drawing again.
"""

import secrets

ADJECTIVES = (
    "able", "agile", "airy", "amber", "ample", "apt", "azure", "bold", "brave", "breezy",
    "bright", "brisk", "bubbly", "calm", "candid", "cheery", "chief", "civil", "clear", "clever",
    "cosmic", "cozy", "crisp", "curious", "daring", "dapper", "deft", "eager", "early", "easy",
    "epic", "even", "exact", "fair", "fancy", "fast", "fearless", "fine", "firm", "fluent",
    "fond", "frank", "free", "fresh", "frosty", "funny", "gentle", "giant", "glad", "golden",
    "grand", "green", "happy", "hardy", "hearty", "honest", "humble", "ideal", "jolly", "jovial",
    "just", "keen", "kind", "lively", "loyal", "lucid", "lucky", "lunar", "merry", "mighty",
    "mild", "modest", "neat", "nimble", "noble", "polite", "proud", "quick", "quiet", "rapid",
    "ready", "regal", "rosy", "royal", "rustic", "safe", "sage", "sandy", "sharp", "shiny",
    "silver", "sincere", "smart", "snappy", "snowy", "solar", "solid", "sound", "spry", "steady",
    "stellar", "sturdy", "sunny", "super", "sure", "swift", "tidy", "tranquil", "true", "trusty",
    "upbeat", "valiant", "vivid", "warm", "wise", "witty", "young", "zany", "zealous", "zesty",
)  # fmt: skip

ANIMALS = (
    "albatross", "alpaca", "antelope", "badger", "beaver", "bison", "bobcat", "buffalo", "camel",
    "canary", "caribou", "cheetah", "chipmunk", "cobra", "condor", "cougar", "coyote", "crane",
    "cricket", "dingo", "dolphin", "donkey", "dove", "dragonfly", "eagle", "egret", "elk",
    "falcon", "ferret", "finch", "flamingo", "fox", "gazelle", "gecko", "gibbon", "giraffe",
    "goose", "gopher", "gorilla", "grouse", "hamster", "hare", "hawk", "hedgehog", "heron",
    "hippo", "hornet", "husky", "ibex", "ibis", "iguana", "impala", "jackal", "jaguar", "jay",
    "kestrel", "kiwi", "koala", "lemur", "leopard", "lion", "llama", "lobster", "lynx",
    "macaw", "magpie", "manatee", "marmot", "meerkat", "mink", "mole", "moose", "narwhal",
    "newt", "ocelot", "octopus", "orca", "osprey", "ostrich", "otter", "owl", "panda",
    "panther", "parrot", "pelican", "penguin", "pheasant", "pigeon", "puffin", "puma", "quail",
    "rabbit", "raccoon", "raven", "reindeer", "robin", "salmon", "seal", "shark", "sparrow",
    "squid", "stork", "swan", "tapir", "tiger", "toucan", "trout", "turtle", "viper", "walrus",
    "weasel", "whale", "wolf", "wombat", "wren", "yak", "zebra", "bee", "lark", "starling",
)  # fmt: skip

_random = secrets.SystemRandom()


def random_username() -> str:
    adjective = _random.choice(ADJECTIVES)
    animal = _random.choice(ANIMALS)
    return f"{adjective}-{animal}-{_random.randint(1000, 9999)}"


def unique_usernames(count: int, taken: set[str]) -> list[str]:
    """Draw `count` distinct names that are not in `taken` (names already in use)."""
    names: list[str] = []
    chosen: set[str] = set()
    while len(names) < count:
        name = random_username()
        if name not in taken and name not in chosen:
            chosen.add(name)
            names.append(name)
    return names
