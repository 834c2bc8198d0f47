"""Peak resident memory of the calling process, for the benchmarks' child processes.

Each worker (accounts, export, import, parquet, scoring) runs in a process of its own so that
this figure is that of one run. Imports no project code, and nothing beyond the standard library,
so that importing it does not move the figure it reads.
"""

import resource


def peak_rss_kib() -> int:
    """ru_maxrss of this process: its peak resident set size, in KiB on Linux."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
