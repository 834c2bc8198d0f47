"""Hand-written SQL, the one place for it: reads into model instances, inserts, COPY, names;
and the PostgreSQL backend (db.postgresql, the ENGINE the settings name).

docs/sql.md says when SQL may be written by hand, how, and how it is tested. Imports Django and
psycopg only, never an app: callers pass their models in.
"""
