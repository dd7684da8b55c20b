"""Roster import: OneRoster 1.1 CSV and a simple one-file CSV, planned, reviewed, applied.

Parsing (``oneroster``, ``simple``) and planning (``planner``) are pure: they read text and a
snapshot of what is already stored, and say what would change. ``services`` loads the
snapshot and applies a plan in the caller's one transaction.
"""
