"""Ads: promoted pins, reviewed on the emulator clock."""
