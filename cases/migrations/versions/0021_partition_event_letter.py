"""On PostgreSQL, the event log and the letters become tables range-partitioned by year on their time column
(``event.at``, ``letter.received_at``), so a year is detached and archived without a long lock
(``flask --app web partitions archive``). SQLite keeps plain tables: this revision does nothing there.

Each table gets one partition per year from the year of the first event to two years ahead, ``<table>_before``
for anything earlier and ``<table>_later`` for anything later (a letter keeps the date its sender wrote, which can
be any year). There is no DEFAULT partition: PostgreSQL cannot detach a partition CONCURRENTLY while one exists.

PostgreSQL requires the partition key in every primary key and unique constraint of a partitioned table, so:
- the primary keys become ``(id, at)`` and ``(id, received_at)``; ids still come from the same sequences and stay
  unique (nothing else writes them);
- the letter's unique ``dedup_key`` and ``(external_id, raw_sha256)`` become plain indexes, and a trigger keeps
  them unique across all partitions: it serialises inserts of one key on an advisory lock and raises the same
  ``unique_violation`` (SQLSTATE 23505) the unique index raised, so the intakes that turn that error into
  "duplicate" work unchanged;
- ``attachment.letter_id`` can no longer reference ``letter.id`` (not unique on its own): a trigger on attachment
  checks the letter exists (and key-share locks it), and one on letter refuses the deletion of a letter an
  attachment names, with the ``foreign_key_violation`` (SQLSTATE 23503) the foreign key raised.

Rows are copied, so the upgrade and the downgrade keep every row of every attached partition; a year already
detached and archived is not brought back by the downgrade.

Revision ID: 0021
Revises: 0020
"""
from datetime import datetime, timezone

from alembic import op
from sqlalchemy import text

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLES = (("event", "at"), ("letter", "received_at"))
YEARS_AHEAD = 2
# Index definitions that become plain (non-unique) indexes on the partitioned letter table; a trigger keeps them
# unique. The unique constraint's index gets an ix_ name: it is an index now, not a constraint.
LETTER_UNIQUE_INDEXES = {"ix_letter_dedup_key": "(dedup_key)", "ix_letter_external_raw": "(external_id, raw_sha256)"}

LETTER_KEYS_FUNCTION = """
CREATE FUNCTION letter_keys_unique() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.dedup_key IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('letter.dedup_key:' || NEW.dedup_key, 0));
        IF EXISTS (SELECT 1 FROM letter WHERE dedup_key = NEW.dedup_key AND id <> NEW.id) THEN
            RAISE EXCEPTION 'duplicate key value violates unique constraint "ix_letter_dedup_key"'
                USING ERRCODE = 'unique_violation', CONSTRAINT = 'ix_letter_dedup_key', TABLE = 'letter',
                      DETAIL = format('Key (dedup_key)=(%s) already exists.', NEW.dedup_key);
        END IF;
    END IF;
    IF NEW.external_id IS NOT NULL AND NEW.raw_sha256 IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(
            hashtextextended('letter.external_raw:' || NEW.external_id || ':' || NEW.raw_sha256, 0));
        IF EXISTS (SELECT 1 FROM letter WHERE external_id = NEW.external_id AND raw_sha256 = NEW.raw_sha256
                   AND id <> NEW.id) THEN
            RAISE EXCEPTION 'duplicate key value violates unique constraint "uq_letter_external_raw"'
                USING ERRCODE = 'unique_violation', CONSTRAINT = 'uq_letter_external_raw', TABLE = 'letter';
        END IF;
    END IF;
    RETURN NEW;
END $$
"""
LETTER_KEYS_TRIGGER = """
CREATE TRIGGER letter_keys_unique BEFORE INSERT OR UPDATE OF dedup_key, external_id, raw_sha256 ON letter
FOR EACH ROW EXECUTE FUNCTION letter_keys_unique()
"""
ATTACHMENT_LETTER_FUNCTION = """
CREATE FUNCTION attachment_letter_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.letter_id IS NOT NULL THEN
        PERFORM 1 FROM letter WHERE id = NEW.letter_id FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'insert or update on table "attachment" violates foreign key constraint '
                            '"attachment_letter_id_fkey"'
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'attachment_letter_id_fkey',
                      TABLE = 'attachment',
                      DETAIL = format('Key (letter_id)=(%s) is not present in table "letter".', NEW.letter_id);
        END IF;
    END IF;
    RETURN NEW;
END $$
"""
ATTACHMENT_LETTER_TRIGGER = """
CREATE TRIGGER attachment_letter_exists BEFORE INSERT OR UPDATE OF letter_id ON attachment
FOR EACH ROW EXECUTE FUNCTION attachment_letter_exists()
"""
LETTER_REFERENCED_FUNCTION = """
CREATE FUNCTION letter_not_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- After the statement's rows: a letter moved to another year (an UPDATE of received_at) is deleted from one
    -- partition and inserted into another with the same id, which leaves its attachments a letter.
    IF EXISTS (SELECT 1 FROM attachment WHERE letter_id = OLD.id)
       AND NOT EXISTS (SELECT 1 FROM letter WHERE id = OLD.id) THEN
        RAISE EXCEPTION 'update or delete on table "letter" violates foreign key constraint '
                        '"attachment_letter_id_fkey" on table "attachment"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'attachment_letter_id_fkey', TABLE = 'letter',
                  DETAIL = format('Key (id)=(%s) is still referenced from table "attachment".', OLD.id);
    END IF;
    RETURN NULL;
END $$
"""
LETTER_REFERENCED_TRIGGER = """
CREATE TRIGGER letter_not_referenced AFTER DELETE ON letter
FOR EACH ROW EXECUTE FUNCTION letter_not_referenced()
"""


def _bound(year: int) -> str:
    return f"'{year:04d}-01-01 00:00:00+00'"


def _rows(sql: str) -> list:
    return list(op.get_bind().execute(text(sql)))


def _foreign_keys(table: str) -> list[tuple[str, str]]:
    return [(name, definition) for name, definition in _rows(
        f"SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        f"WHERE conrelid = '{table}'::regclass AND contype = 'f' ORDER BY conname")]


def _plain_indexes(table: str) -> list[str]:
    """The definitions of ``table``'s indexes that back no constraint."""
    return [definition for (definition,) in _rows(
        f"SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = '{table}'::regclass "
        f"AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1")]


def _first_year() -> int:
    """The year of the first event (the office's first year on this system), or this year."""
    first = op.get_bind().execute(text("SELECT min(at) FROM event")).scalar()
    now = datetime.now(timezone.utc).year
    return min(first.year, now) if first is not None else now


def _rebuild(table: str, column: str, partitioned: bool, first: int, last: int) -> None:
    """Copy ``table`` into a new table of the same columns (partitioned by year on ``column`` or plain), keeping
    its id sequence, foreign keys and indexes, and put it in the old one's place."""
    new = f"{table}_rebuilt"
    keys = _foreign_keys(table)
    indexes = _plain_indexes(table)
    op.execute(f"CREATE TABLE {new} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
               + (f" PARTITION BY RANGE ({column})" if partitioned else ""))
    if partitioned:
        op.execute(f"CREATE TABLE {table}_before PARTITION OF {new} FOR VALUES FROM (MINVALUE) TO ({_bound(first)})")
        for year in range(first, last + 1):
            op.execute(f"CREATE TABLE {table}_y{year} PARTITION OF {new} "
                       f"FOR VALUES FROM ({_bound(year)}) TO ({_bound(year + 1)})")
        op.execute(f"CREATE TABLE {table}_later PARTITION OF {new} FOR VALUES FROM ({_bound(last + 1)}) TO (MAXVALUE)")
    op.execute(f"INSERT INTO {new} SELECT * FROM {table}")
    op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY {new}.id")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {new} RENAME TO {table}")
    primary = "id, " + column if partitioned else "id"
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({primary})")
    for name, definition in keys:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    for definition in indexes:  # a partitioned table's index is defined "ON ONLY" the parent
        op.execute(definition.replace(" ON ONLY ", " ON "))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    first, last = _first_year(), datetime.now(timezone.utc).year + YEARS_AHEAD
    op.execute("ALTER TABLE attachment DROP CONSTRAINT attachment_letter_id_fkey")
    op.execute("ALTER TABLE letter DROP CONSTRAINT uq_letter_external_raw")
    op.execute("DROP INDEX ix_letter_dedup_key")
    for table, column in TABLES:
        _rebuild(table, column, True, first, last)
    for name, columns in LETTER_UNIQUE_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON letter {columns}")
    for statement in (LETTER_KEYS_FUNCTION, LETTER_KEYS_TRIGGER, ATTACHMENT_LETTER_FUNCTION,
                      ATTACHMENT_LETTER_TRIGGER, LETTER_REFERENCED_FUNCTION, LETTER_REFERENCED_TRIGGER):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER attachment_letter_exists ON attachment")
    op.execute("DROP FUNCTION attachment_letter_exists()")
    for name in LETTER_UNIQUE_INDEXES:
        op.execute(f"DROP INDEX {name}")
    for table, column in TABLES:
        _rebuild(table, column, False, 0, 0)  # the triggers on letter go with the partitioned table
    op.execute("DROP FUNCTION letter_keys_unique()")
    op.execute("DROP FUNCTION letter_not_referenced()")
    op.execute("CREATE UNIQUE INDEX ix_letter_dedup_key ON letter (dedup_key)")
    op.execute("ALTER TABLE letter ADD CONSTRAINT uq_letter_external_raw UNIQUE (external_id, raw_sha256)")
    op.execute("ALTER TABLE attachment ADD CONSTRAINT attachment_letter_id_fkey "
               "FOREIGN KEY (letter_id) REFERENCES letter(id)")
