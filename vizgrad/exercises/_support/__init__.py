"""Helpers shared by the exercises' checks: calling student code, numerics, hints, pictures, text."""
