"""Qualification with feedback: known-answer records an annotator answers before regular work.

Read README.md first. The tables are in models.py (registered by campaigns.models); the writes
in services.py; the pure rules (matching, skill, the pass mark) in rules.py. Imports nothing of
scoring.
"""
