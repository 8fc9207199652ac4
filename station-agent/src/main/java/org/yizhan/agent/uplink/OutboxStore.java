package org.yizhan.agent.uplink;

import org.yizhan.protocol.Event;

import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where the {@link Outbox} keeps its events on disk: rows in the order of the outbox's own sequence, each with its
 * size and whether it may be evicted at the outbox's limits. Blocking; the outbox calls it from its one worker
 * thread only, in order. {@link SqliteOutboxStore} is the one for stations. A write that fails because the disk is
 * full throws what the store's driver throws for that ({@code SQLITE_FULL}); the outbox then keeps the events in
 * memory and writes them later.
 */
public interface OutboxStore {

    /** One stored event, with the outbox's sequence number, its size as it travels, and whether it may be evicted. */
    record Row(long seq, Event event, int bytes, boolean evictable) {
    }

    /** What the store holds when opened: rows, their bytes, and the highest sequence number ever given (0 for none). */
    record Contents(long rows, long bytes, long lastSeq) {
    }

    /** Opens (creating the store, or bringing an older one up to date with its rows kept). */
    Contents open() throws SQLException;

    /** Writes the rows in one transaction: all of them or, when it throws, none. */
    void insert(List<Row> rows) throws SQLException;

    /** Up to {@code limit} rows with a sequence number above {@code afterSeq}, in sequence order. */
    List<Row> after(long afterSeq, int limit) throws SQLException;

    /** Deletes the rows with these event ids, in one transaction; the bytes they held (ids it does not hold count 0). */
    Removed delete(Collection<String> ids) throws SQLException;

    /** A small real write, to learn whether the disk takes writes again when there is nothing else to write. */
    void probe() throws SQLException;

    /** Deletes the evictable row with the lowest sequence number, if there is one. */
    Optional<Row> evictOldest() throws SQLException;

    void close() throws SQLException;

    /** What a delete removed. */
    record Removed(int rows, long bytes) {
    }
}
