"""Ad groups: budgets, bids (and bid floors), billable events, schedules inside their campaign."""
