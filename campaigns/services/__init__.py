"""Every write to the campaign tables goes through a function in this package."""
