"""The run history's event log: Dagster's SQLite event log, keeping its database engines open.

Dagster's SQLite event log creates a database engine for every event it writes, disposes of it after, and SQLite
syncs every commit to disk. A small run writes about 1,500 events (every dbt test is an asset check, planned and
evaluated), and that cost 8 of its 60 CPU-seconds. Here each database file keeps one engine while the storage
lives (the few most recent ones: a long-lived process such as the daemon reads many runs), and commits are synced
at WAL checkpoints (`synchronous=NORMAL`): the database stays consistent through a crash, and at worst the last
events before a power cut are lost, which a run history can afford.

The workspace names this class in its instance settings (dagster.yaml); everything else is Dagster's.
"""

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# the index and the runs a process is writing or showing; older engines are disposed of
ENGINES_KEPT = 8


def _sync_at_checkpoints(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> "PooledSqliteEventLogStorage":
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as connection, connection.begin():
            yield connection

    def _engine(self, shard: str) -> Engine:
        if shard in self._engines:
            self._engines.move_to_end(shard)
            return self._engines[shard]
        engine = create_engine(self.conn_string_for_shard(shard), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        event.listen(engine, "connect", _sync_at_checkpoints)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > ENGINES_KEPT:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    def _dispose_engines(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()

    def wipe(self) -> None:
        with self._db_lock:
            self._dispose_engines()  # the run databases are deleted: no connection may stay open on them
        super().wipe()

    def dispose(self) -> None:
        with self._db_lock:
            self._dispose_engines()
        super().dispose()
