"""Engagement: employees' suggestions (合理化建议) and team activities (团队活动)."""
