"""Boards and board sections."""
