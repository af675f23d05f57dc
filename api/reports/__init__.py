"""Reports per fiscal year for staff and prefecture officials."""
