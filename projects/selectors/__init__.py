"""Reads for projects."""
