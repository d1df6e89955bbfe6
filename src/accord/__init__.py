"""Accord: open-source partner relationship management."""
