"""Run the whole Pishkhan system on one machine without containers."""
