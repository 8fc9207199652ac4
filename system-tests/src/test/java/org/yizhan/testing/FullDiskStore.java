package org.yizhan.testing;

import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.yizhan.agent.uplink.OutboxStore;
import org.yizhan.agent.uplink.SqliteOutboxStore;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's real SQLite outbox store on an SD card that can fill up: while {@link #full} is set, every write fails
 * the way SQLite fails on a full disk ({@code SQLITE_FULL}, "database or disk is full") and changes nothing; reads
 * still work, as they do on a full disk.
 */
public final class FullDiskStore implements OutboxStore {

    private final SqliteOutboxStore disk;
    public volatile boolean full;
    /** Rows written (what reached the disk). */
    public final AtomicInteger written = new AtomicInteger();
    /** Writes refused because the disk was full. */
    public final AtomicInteger refusedWrites = new AtomicInteger();

    public FullDiskStore(Path file) {
        this.disk = new SqliteOutboxStore(file);
    }

    private void check() throws SQLException {
        if (full) {
            refusedWrites.incrementAndGet();
            throw new SQLiteException("[SQLITE_FULL] Insertion failed because database is full "
                    + "(database or disk is full)", SQLiteErrorCode.SQLITE_FULL);
        }
    }

    @Override
    public Contents open() throws SQLException {
        return disk.open();
    }

    @Override
    public void insert(List<Row> rows) throws SQLException {
        check();
        disk.insert(rows);
        written.addAndGet(rows.size());
    }

    @Override
    public List<Row> after(long afterSeq, int limit) throws SQLException {
        return disk.after(afterSeq, limit);
    }

    @Override
    public Removed delete(Collection<String> ids) throws SQLException {
        check();
        return disk.delete(ids);
    }

    @Override
    public void probe() throws SQLException {
        check();
        disk.probe();
    }

    @Override
    public Optional<Row> evictOldest() throws SQLException {
        check();
        return disk.evictOldest();
    }

    @Override
    public void close() throws SQLException {
        disk.close();
    }
}
