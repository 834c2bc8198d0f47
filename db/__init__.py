"""Hand-written SQL, the one place for it: reads into model instances, inserts, COPY, names.

Raw SQL is allowed only where the ORM's cost was measured on a hot path; docs/sql.md says when
and how. Imports Django and psycopg only, never an app: callers pass their models in.
"""
