"""Campaigns: objectives, budgets (spend caps), status, schedule."""
