"""The verdict: metrics, scoring jobs, reports, leaderboards, moderation, exports.

Reads campaigns and accounts; neither of them reads scoring.
"""
