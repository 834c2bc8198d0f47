"""People: users, generated accounts, claiming, login and roles. Imports no other app."""
