"""Data backends: a data set as the optimiser sees it (loss, gradient, accuracy)."""
