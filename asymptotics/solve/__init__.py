"""Numeric solving core shared by all models."""
