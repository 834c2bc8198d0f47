"""Pure numerical metrics for scoring: numpy, scipy and krippendorff only, never Django."""
