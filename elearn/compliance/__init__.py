"""Compliance: required staff training, who is due or overdue, dashboards, exports, reminders."""
