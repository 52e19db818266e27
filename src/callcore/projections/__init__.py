"""Pure folds from recorded events to views (no I/O, no clock)."""
