"""Helpers shared by several test modules (never collected as tests)."""
