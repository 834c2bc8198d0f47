"""Pages of the scoring app: moderation, standings, the organizer dashboard."""
