"""Declarative form definitions (fields, labels, types, required, validators); no Qt."""
