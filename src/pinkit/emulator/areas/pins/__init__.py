"""Pins, and the images they were created from."""
