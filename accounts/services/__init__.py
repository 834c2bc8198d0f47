"""Every write to the accounts tables goes through a function in this package."""
