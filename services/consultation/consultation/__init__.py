"""Pishkhan consultation: draft rules open for public comment, then decided."""
