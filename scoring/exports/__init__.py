"""Exports: rows streamed from the database into JSONL or CSV files written all or nothing."""
