"""A fixture that connects with prepared statements whatever the environment says, so the tests
of the 65,535-parameter cap hold when the suite runs with DATABASE_PREPARED_STATEMENTS=false."""

from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection

from config.environment import PREPARED_STATEMENTS


@pytest.fixture
def prepared_statements(transactional_db: None) -> Iterator[None]:
    # The options are read when a connection opens; transactional_db leaves none open across
    # the test, so closing it here is safe, and its flush afterwards reconnects as configured.
    saved = connection.settings_dict["OPTIONS"]
    connection.close()
    connection.settings_dict["OPTIONS"] = {**saved, **PREPARED_STATEMENTS}
    try:
        connection.ensure_connection()
        assert connection.connection.prepare_threshold == PREPARED_STATEMENTS["prepare_threshold"]
        with connection.cursor() as cursor:
            assert not isinstance(cursor.cursor, psycopg.ClientCursor)
        yield
    finally:
        connection.close()
        connection.settings_dict["OPTIONS"] = saved
