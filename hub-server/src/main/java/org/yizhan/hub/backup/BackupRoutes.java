package org.yizhan.hub.backup;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.QueryParams;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Online backups of the running hub (admin): {@code POST /api/v1/admin/backup[?keep=N]} writes an archive of the
 * H2 registry and the data directory's secrets into {@code dataDir/backups} on a worker of its own (one backup at a
 * time; 409 while one runs) and answers its name, size and manifest; {@code GET /api/v1/admin/backups/{name}}
 * sends that archive. The running hub holds the H2 file's lock, so it is the one that can copy it consistently;
 * {@code yizhan-hub backup} calls these. With the registry in PostgreSQL the answer is 409: use pg_dump.
 */
public final class BackupRoutes implements HubFeature {

    private static final Logger LOG = LoggerFactory.getLogger(BackupRoutes.class);
    /** Most archives {@code keep} may ask to keep. */
    static final int MAX_KEEP = 10_000;

    private final Vertx vertx;
    private final Database db;
    private final Path dataDir;
    private final boolean registryInDataDir;
    private final Authenticator auth;
    private final Replies replies;
    private final AtomicBoolean running = new AtomicBoolean();
    private WorkerExecutor worker;

    public BackupRoutes(Vertx vertx, Database db, Path dataDir, boolean registryInDataDir, Authenticator auth,
                        Replies replies) {
        this.vertx = vertx;
        this.db = db;
        this.dataDir = dataDir.toAbsolutePath();
        this.registryInDataDir = registryInDataDir;
        this.auth = auth;
        this.replies = replies;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.post("/api/v1/admin/backup"), Role.ADMIN, this::backup);
        router.get("/api/v1/admin/backups/:name").handler(auth.require(Role.ADMIN)).handler(this::download);
    }

    @Override
    public Future<Void> start() {
        // a large registry takes minutes to copy: not a blocked thread worth warning about
        worker = vertx.createSharedWorkerExecutor("yizhan-backup", 1, 6, TimeUnit.HOURS);
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> stop() {
        return worker == null ? Future.succeededFuture() : worker.close();
    }

    private Future<Reply> backup(RoutingContext ctx) {
        if (!registryInDataDir) {
            return Future.failedFuture(ApiException.of(409, "registry-on-postgresql", "The registry is in PostgreSQL "
                    + "(db-url): back it up with pg_dump, as the README's Backups section says"));
        }
        int keep = new QueryParams(ctx).intValue("keep", 0, MAX_KEEP, 0);
        if (!running.compareAndSet(false, true)) {
            return Future.failedFuture(ApiException.of(409, "backup-running", "A backup is being written; try again "
                    + "when it is done"));
        }
        String by = Authenticator.principal(ctx).username();
        return worker.executeBlocking(() -> write(keep, by), false)
                .onComplete(ar -> running.set(false))
                .recover(e -> {
                    LOG.error("Backup failed", e);
                    return Future.failedFuture(ApiException.of(500, "backup-failed", "The backup failed: " + e.getMessage()));
                });
    }

    private Reply write(int keep, String by) throws Exception {
        long t0 = System.nanoTime();
        Path folder = HubBackup.ensureFolder(dataDir);
        String name = HubBackup.archiveName(Instant.now());
        Path target = folder.resolve(name);
        LOG.info("Backup {} started by {}", name, by);
        BackupManifest manifest;
        try (Connection c = db.dataSource().getConnection()) {
            manifest = HubBackup.create(c, dataDir, target, new LoggedProgress(name));
        }
        List<String> pruned = HubBackup.prune(folder, keep);
        long bytes = Files.size(target);
        LOG.info("Backup {} written: {} bytes in {} ms (registry schema {}){}", name, bytes,
                (System.nanoTime() - t0) / 1_000_000, manifest.schemaVersion(),
                pruned.isEmpty() ? "" : "; older backups deleted: " + pruned);
        return Reply.created(new JsonObject().put("name", name).put("path", target.toString()).put("bytes", bytes)
                .put("deleted", pruned).put("manifest", manifest.toJson()));
    }

    private void download(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        if (name == null || !HubBackup.isArchiveName(name)) {
            replies.error(ctx, ApiException.notFound("No backup of that name"));
            return;
        }
        String path = HubBackup.folder(dataDir).resolve(name).toString();
        vertx.fileSystem().exists(path).onComplete(ar -> {
            if (ar.failed() || !ar.result()) {
                replies.error(ctx, ApiException.notFound("No backup " + name));
                return;
            }
            ctx.response().putHeader("Content-Type", "application/zip")
                    .putHeader("Content-Disposition", "attachment; filename=\"" + name + "\"")
                    .putHeader("Cache-Control", "no-store")
                    .sendFile(path).onFailure(e -> LOG.warn("Sending backup {} failed: {}", name, e.getMessage()));
        });
    }

    /** Logs how far a large backup is, every tenth. */
    private static final class LoggedProgress implements BackupArchive.Progress {
        private final String name;
        private int tenths;

        LoggedProgress(String name) {
            this.name = name;
        }

        @Override
        public void bytes(long done, long total) {
            int now = total == 0 ? 10 : (int) (done * 10 / total);
            if (now > tenths && total > 64L << 20) {
                tenths = now;
                LOG.info("Backup {}: {}% of {} MB archived", name, now * 10, total >> 20);
            }
        }
    }
}
