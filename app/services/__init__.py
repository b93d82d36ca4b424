"""Use cases: permission check, domain rule, write. No Qt; the caller owns the unit of work."""
