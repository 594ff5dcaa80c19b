"""Analytics and async reports: synthetic metrics that add up across levels."""
