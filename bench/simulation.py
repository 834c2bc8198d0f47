"""Kept for the modules not moved yet: the crowd lives in bench/crowds/judgements.py.
`python -m bench.simulation KIND SEED` still runs one simulated campaign."""

import sys

from bench.crowds.judgements import (  # noqa: F401 - re-exported
    BAD,
    HONEST,
    Config,
    Simulation,
    _spec,
    evaluate,
    generate,
    load,
    main,
    write_files,
)

if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
