"""Django's PostgreSQL backend (psycopg 3) with a health check that sends nothing to the server.

With CONN_HEALTH_CHECKS, Django runs `SELECT 1` on a reused connection before the first query of
every request: a round trip per request, 11% of a gunicorn worker's wall time under the
annotation load (py-spy). A connection that PostgreSQL ended (restart, `pg_terminate_backend`,
idle timeout, crash) has its socket readable: the server's last words or the end of the stream.
A healthy idle connection has nothing to read, so polling the socket without waiting tells them
apart. Something readable on a healthy connection (a parameter change after a configuration
reload) only costs a reconnection. What no check can see without a round trip — a peer that
vanished without closing (a host gone from the network) — fails the request's first query,
which Django then closes the connection over, as before. Imports nothing of the project.
"""

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper
from psycopg import Error, pq


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        pgconn = connection.pgconn
        if (
            pgconn.status != pq.ConnStatus.OK
            or pgconn.transaction_status == pq.TransactionStatus.UNKNOWN
        ):
            return False
        try:
            # poll(), unlike select(), takes descriptors past 1023 as well.
            poller = select.poll()
            poller.register(pgconn.socket, select.POLLIN)
            ready = poller.poll(0)
        except (Error, OSError, ValueError):
            return False
        return not ready
