package org.yizhan.agent.face;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The station's face data in a SQLite file ({@code face.db}): each member's consent as the hub last sent it
 * (given or withdrawn, whether sync is allowed, and the hub's version of that state), and the templates,
 * sealed with {@link TemplateCipher} so the file never holds an embedding in the clear. A template is
 * {@code local} (enrolled at this kiosk) or {@code synced} (sent by the hub from another station). A template
 * is stored only while the member's consent is given here, a synced one only while sync is allowed too;
 * withdrawal deletes them all. All JDBC runs on one worker thread in call order.
 */
public final class FaceStore {

    public static final String LOCAL = "local";
    public static final String SYNCED = "synced";

    /** A member's consent as this station knows it. */
    public record Consent(String member, boolean given, boolean sync, long version) {
    }

    /**
     * A stored template, opened; {@code proof} is the rider pass text the member showed to enrol it here (a local
     * template enrolled since the hub records enrolments), which the upload carries.
     */
    public record Template(long id, String member, String origin, float[] embedding, Optional<String> proof) {
    }

    /** A template could not be stored because the member's consent does not allow it. */
    public static final class NoConsentException extends RuntimeException {
        NoConsentException(String message) {
            super(message, null, false, false);
        }
    }

    private final Vertx vertx;
    private final Path file;
    private final Path keyFile;
    private WorkerExecutor worker;
    private Connection conn;
    private TemplateCipher cipher;

    private final Path stateDir;

    public FaceStore(Vertx vertx, Path stateDir) {
        this(vertx, stateDir, System.getenv());
    }

    /** With {@code env} giving {@code CREDENTIALS_DIRECTORY}, if systemd hands the key over as a credential. */
    public FaceStore(Vertx vertx, Path stateDir, Map<String, String> env) {
        this.vertx = vertx;
        this.stateDir = stateDir;
        this.file = stateDir.resolve("face.db");
        this.keyFile = TemplateCipher.keyFile(stateDir, env);
    }

    /** Where the template key lives (never beside {@code face.db}). */
    public Path keyFile() {
        return keyFile;
    }

    public Future<Void> open() {
        worker = vertx.createSharedWorkerExecutor("yizhan-face-" + file.toAbsolutePath(), 1);
        return run(() -> {
            // before anything is sealed: the key moved from beside face.db, and readable by the agent alone
            TemplateCipher.prepare(stateDir, keyFile);
            conn = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = conn.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA secure_delete=ON");
                s.execute("CREATE TABLE IF NOT EXISTS consents (member TEXT PRIMARY KEY, given INTEGER NOT NULL, "
                        + "sync INTEGER NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID");
                s.execute("CREATE TABLE IF NOT EXISTS templates (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                        + "member TEXT NOT NULL, origin TEXT NOT NULL, dims INTEGER NOT NULL, sealed BLOB NOT NULL, "
                        + "created_at INTEGER NOT NULL, uploaded INTEGER NOT NULL DEFAULT 0)");
                s.execute("CREATE INDEX IF NOT EXISTS templates_member ON templates (member)");
                boolean proofColumn = false;
                try (ResultSet rs = s.executeQuery("PRAGMA table_info(templates)")) {
                    while (rs.next()) {
                        proofColumn |= "proof".equals(rs.getString("name"));
                    }
                }
                if (!proofColumn) {
                    s.execute("ALTER TABLE templates ADD COLUMN proof TEXT");
                }
            }
            return null;
        });
    }

    public Future<Void> close() {
        if (worker == null) {
            return Future.succeededFuture();
        }
        Future<Void> closed = run(() -> {
            if (conn != null) {
                try (Statement s = conn.createStatement()) {
                    s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                }
                conn.close();
                conn = null;
            }
            return null;
        });
        return closed.eventually(() -> worker.close());
    }

    public Future<Optional<Consent>> consent(String member) {
        return run(() -> consentOf(member));
    }

    /**
     * Takes the hub's consent state unless this station holds a newer one; when sync is not (or no longer)
     * allowed, the synced copies of the member's templates are deleted. Completes with the templates deleted,
     * or -1 when the state was older than the one held and ignored.
     */
    public Future<Integer> applyConsent(String member, boolean given, boolean sync, long version) {
        return run(() -> {
            Optional<Consent> held = consentOf(member);
            if (held.isPresent() && held.get().version() > version) {
                return -1;
            }
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT OR REPLACE INTO consents (member, given, sync, version) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, member);
                ps.setInt(2, given ? 1 : 0);
                ps.setInt(3, given && sync ? 1 : 0);
                ps.setLong(4, version);
                ps.executeUpdate();
            }
            if (!given) {
                return deleteTemplates(member, Optional.empty());
            }
            if (sync) {
                return 0;
            }
            // the hub deleted its copies: should sync be allowed again, this station's own templates go up anew
            try (PreparedStatement ps = conn.prepareStatement(
                    "UPDATE templates SET uploaded = 0 WHERE member = ? AND origin = ?")) {
                ps.setString(1, member);
                ps.setString(2, LOCAL);
                ps.executeUpdate();
            }
            return deleteTemplates(member, Optional.of(SYNCED));
        });
    }

    /** Consent withdrawn: records it (version) and deletes every template of the member; completes with how many. */
    public Future<Integer> withdraw(String member, long version) {
        return applyConsent(member, false, false, version).compose(n -> n >= 0 ? Future.succeededFuture(n)
                // an older withdrawal than the consent held: the templates go all the same
                : run(() -> deleteTemplates(member, Optional.empty())));
    }

    /** Seals and stores a template if the member's consent allows it; fails with {@link NoConsentException} if not. */
    public Future<Long> add(String member, String origin, float[] embedding, long now) {
        return add(member, origin, embedding, now, null);
    }

    /** Like {@link #add} for a template enrolled here, keeping the pass the member showed as the enrolment's proof. */
    public Future<Long> addEnrolled(String member, float[] embedding, long now, String passText) {
        return add(member, LOCAL, embedding, now, passText);
    }

    private Future<Long> add(String member, String origin, float[] embedding, long now, String proof) {
        return run(() -> {
            Optional<Consent> c = consentOf(member);
            if (c.isEmpty() || !c.get().given()) {
                throw new NoConsentException("the hub has not told this station that " + member
                        + " consented to face access");
            }
            if (SYNCED.equals(origin) && !c.get().sync()) {
                throw new NoConsentException(member + " has not allowed templates to be synced to other stations");
            }
            byte[] sealed = cipher().seal(TemplateCipher.toBytes(embedding), member);
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO templates (member, origin, dims, sealed, "
                    + "created_at, uploaded, proof) VALUES (?, ?, ?, ?, ?, 0, ?)", Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, member);
                ps.setString(2, origin);
                ps.setInt(3, embedding.length);
                ps.setBytes(4, sealed);
                ps.setLong(5, now);
                ps.setString(6, proof);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
    }

    /** Every stored template opened (for the matcher); fails with {@link TemplateCipher.WrongKeyException}. */
    public Future<List<Template>> templates() {
        return run(() -> select("SELECT id, member, origin, sealed, proof FROM templates ORDER BY id", null));
    }

    /** The member's stored templates opened; fails with {@link TemplateCipher.WrongKeyException}. */
    public Future<List<Template>> templates(String member) {
        return run(() -> select("SELECT id, member, origin, sealed, proof FROM templates WHERE member = ? ORDER BY id", member));
    }

    /** Templates of this station's enrolment not yet sent to the hub, of members who allow sync. */
    public Future<List<Template>> pendingUploads() {
        return run(() -> select("SELECT t.id, t.member, t.origin, t.sealed, t.proof FROM templates t JOIN consents c "
                + "ON c.member = t.member WHERE t.origin = 'local' AND t.uploaded = 0 AND c.given = 1 AND c.sync = 1 "
                + "ORDER BY t.id", null));
    }

    public Future<Void> markUploaded(long id) {
        return run(() -> {
            try (PreparedStatement ps = conn.prepareStatement("UPDATE templates SET uploaded = 1 WHERE id = ?")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** How many templates the member has here (any origin). */
    public Future<Integer> count(String member) {
        return run(() -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT COUNT(*) FROM templates WHERE member = ?")) {
                ps.setString(1, member);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    private List<Template> select(String sql, String arg) throws Exception {
        List<Template> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            if (arg != null) {
                ps.setString(1, arg);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String member = rs.getString(2);
                    byte[] plain = cipher().open(rs.getBytes(4), member);
                    out.add(new Template(rs.getLong(1), member, rs.getString(3), TemplateCipher.fromBytes(plain),
                            Optional.ofNullable(rs.getString(5))));
                }
            }
        }
        return out;
    }

    private TemplateCipher cipher() throws java.io.IOException {
        if (cipher == null) {
            cipher = TemplateCipher.loadOrCreate(keyFile);
        }
        return cipher;
    }

    private Optional<Consent> consentOf(String member) throws Exception {
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT given, sync, version FROM consents WHERE member = ?")) {
            ps.setString(1, member);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Consent(member, rs.getInt(1) == 1, rs.getInt(2) == 1, rs.getLong(3)))
                        : Optional.empty();
            }
        }
    }

    private int deleteTemplates(String member, Optional<String> origin) throws Exception {
        String sql = "DELETE FROM templates WHERE member = ?" + (origin.isPresent() ? " AND origin = ?" : "");
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, member);
            if (origin.isPresent()) {
                ps.setString(2, origin.get());
            }
            return ps.executeUpdate();
        }
    }

    private <T> Future<T> run(Callable<T> work) {
        return worker.executeBlocking(work, true);
    }
}
