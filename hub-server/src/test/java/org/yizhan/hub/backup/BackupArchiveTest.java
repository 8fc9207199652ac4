package org.yizhan.hub.backup;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The archive format on its own: what it writes, and every way a damaged or foreign archive is refused. */
class BackupArchiveTest {

    private static final Instant AT = Instant.parse("2025-03-01T02:00:00Z");

    @TempDir
    Path dir;

    private Path archiveOf(Map<String, byte[]> files) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        List<BackupArchive.Source> sources = new ArrayList<>();
        for (var f : files.entrySet()) {
            sources.add(new BackupArchive.Source(f.getKey(), Files.write(src.resolve(f.getKey()), f.getValue())));
        }
        Path target = dir.resolve("backup.zip");
        BackupArchive.write(target, "9.9.9", "7", AT, sources, BackupArchive.Progress.NONE);
        return target;
    }

    private static Map<String, byte[]> sample() {
        byte[] registry = new byte[300_000];
        new Random(7).nextBytes(registry);
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put(BackupArchive.REGISTRY, registry);
        m.put("jwt.key", "secret-key".getBytes(StandardCharsets.UTF_8));
        m.put("pass-keys.json", "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8));
        return m;
    }

    @Test
    void writesAPrivateArchiveWhoseFilesComeBackByteForByte() throws Exception {
        Map<String, byte[]> files = sample();
        List<long[]> progress = new ArrayList<>();
        Path src = Files.createDirectories(dir.resolve("src"));
        List<BackupArchive.Source> sources = new ArrayList<>();
        for (var f : files.entrySet()) {
            sources.add(new BackupArchive.Source(f.getKey(), Files.write(src.resolve(f.getKey()), f.getValue())));
        }
        Path target = dir.resolve("out").resolve("backup.zip");
        Files.createDirectories(target.getParent());
        BackupManifest written = BackupArchive.write(target, "9.9.9", "7", AT, sources,
                (done, total) -> progress.add(new long[]{done, total}));

        assertThat(Files.getPosixFilePermissions(target)).as("the archive holds secrets")
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (Stream<Path> s = Files.list(target.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).as("no temporary file left")
                    .containsExactly("backup.zip");
        }
        assertThat(progress).as("progress reported").isNotEmpty();
        assertThat(progress.get(progress.size() - 1)[0]).isEqualTo(progress.get(progress.size() - 1)[1])
                .isEqualTo(files.values().stream().mapToLong(b -> b.length).sum());

        BackupManifest read = BackupArchive.verify(target, BackupArchive.Progress.NONE);
        assertThat(read).isEqualTo(written);
        assertThat(read.hubVersion()).isEqualTo("9.9.9");
        assertThat(read.schemaVersion()).isEqualTo("7");
        assertThat(read.createdAt()).isEqualTo(AT);
        assertThat(read.files()).extracting(BackupManifest.Entry::name)
                .containsExactly(BackupArchive.REGISTRY, "jwt.key", "pass-keys.json");
        assertThat(read.file("jwt.key").orElseThrow().sha256()).isEqualTo(java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest("secret-key".getBytes(StandardCharsets.UTF_8))));

        Path restored = Files.createDirectories(dir.resolve("restored"));
        BackupArchive.extract(target, restored, BackupArchive.Progress.NONE);
        for (var f : files.entrySet()) {
            assertThat(Files.readAllBytes(restored.resolve(f.getKey()))).as(f.getKey()).isEqualTo(f.getValue());
            assertThat(Files.getPosixFilePermissions(restored.resolve(f.getKey()))).as(f.getKey())
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void refusesToOverwriteAnExistingTargetOrToArchiveOddNames() throws Exception {
        Path target = archiveOf(sample());
        byte[] before = Files.readAllBytes(target);
        Path key = Files.writeString(dir.resolve("k"), "k");
        assertThatThrownBy(() -> BackupArchive.write(target, "1", "7", AT,
                List.of(new BackupArchive.Source(BackupArchive.REGISTRY, key)), BackupArchive.Progress.NONE))
                .isInstanceOf(BackupException.class).hasMessageContaining("exists already");
        assertThat(Files.readAllBytes(target)).isEqualTo(before);
        for (String bad : List.of("../evil", "a/b", ".hidden", "manifest.json", "")) {
            assertThatThrownBy(() -> BackupArchive.write(dir.resolve("x.zip"), "1", "7", AT,
                    List.of(new BackupArchive.Source(BackupArchive.REGISTRY, key), new BackupArchive.Source(bad, key)),
                    BackupArchive.Progress.NONE)).as(bad).isInstanceOf(BackupException.class);
        }
        assertThatThrownBy(() -> BackupArchive.write(dir.resolve("y.zip"), "1", "7", AT,
                List.of(new BackupArchive.Source("jwt.key", key)), BackupArchive.Progress.NONE))
                .isInstanceOf(BackupException.class).hasMessageContaining("registry");
        assertThat(dir.resolve("x.zip")).doesNotExist();
        assertThat(dir.resolve("y.zip")).doesNotExist();
    }

    @Test
    void refusesATruncatedArchive() throws Exception {
        Path target = archiveOf(sample());
        byte[] all = Files.readAllBytes(target);
        for (int keep : new int[]{0, 10, all.length / 2, all.length - 30}) {
            Path cut = Files.write(dir.resolve("cut-" + keep + ".zip"), java.util.Arrays.copyOf(all, keep));
            assertThatThrownBy(() -> BackupArchive.verify(cut, BackupArchive.Progress.NONE)).as("cut at %d", keep)
                    .isInstanceOf(BackupException.class).hasMessageContaining("not a complete backup archive");
        }
    }

    @Test
    void refusesATamperedChecksumOrFileAndWritesNothingOfIt() throws Exception {
        Path target = archiveOf(sample());
        Path badSum = rewrite(target, "sum.zip", m -> {
            JsonObject f = m.getJsonArray("files").getJsonObject(1);
            f.put("sha256", "0".repeat(64));
            return m;
        }, Map.of());
        assertThatThrownBy(() -> BackupArchive.verify(badSum, BackupArchive.Progress.NONE))
                .isInstanceOf(BackupException.class).hasMessageContaining("damaged or was altered")
                .hasMessageContaining("jwt.key");

        Path badFile = rewrite(target, "file.zip", UnaryOperator.identity(),
                Map.of("jwt.key", "another-key".getBytes(StandardCharsets.UTF_8)));
        Path into = Files.createDirectories(dir.resolve("into"));
        assertThatThrownBy(() -> BackupArchive.extract(badFile, into, BackupArchive.Progress.NONE))
                .isInstanceOf(BackupException.class).hasMessageContaining("jwt.key does not match");
        assertThat(into.resolve("jwt.key")).as("a file that failed its checksum is not left behind").doesNotExist();
    }

    @Test
    void refusesForeignOrIncompleteArchives() throws Exception {
        Path target = archiveOf(sample());
        Path noManifest = dir.resolve("plain.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(noManifest))) {
            z.putNextEntry(new ZipEntry("registry.mv.db"));
            z.write(1);
            z.closeEntry();
        }
        assertThatThrownBy(() -> BackupArchive.verify(noManifest, BackupArchive.Progress.NONE))
                .isInstanceOf(BackupException.class).hasMessageContaining("no manifest.json");

        Path extra = rewrite(target, "extra.zip", UnaryOperator.identity(), Map.of("../../etc/cron.d/x", new byte[]{1}));
        assertThatThrownBy(() -> BackupArchive.verify(extra, BackupArchive.Progress.NONE))
                .isInstanceOf(BackupException.class).hasMessageContaining("does not list");

        Path traversal = rewrite(target, "traversal.zip", m -> {
            m.getJsonArray("files").getJsonObject(1).put("name", "../jwt.key");
            return m;
        }, Map.of());
        assertThatThrownBy(() -> BackupArchive.verify(traversal, BackupArchive.Progress.NONE))
                .isInstanceOf(BackupException.class).hasMessageContaining("cannot be restored");

        Path missing = rewrite(target, "missing.zip", m -> {
            m.getJsonArray("files").add(new JsonObject().put("name", "entry-secret").put("bytes", 1)
                    .put("sha256", "a".repeat(64)));
            return m;
        }, Map.of());
        assertThatThrownBy(() -> BackupArchive.verify(missing, BackupArchive.Progress.NONE))
                .isInstanceOf(BackupException.class).hasMessageContaining("entry-secret is listed in its manifest but missing");

        Path newer = rewrite(target, "newer.zip", m -> m.put("formatVersion", 2), Map.of());
        assertThatThrownBy(() -> BackupArchive.verify(newer, BackupArchive.Progress.NONE))
                .isInstanceOf(BackupException.class).hasMessageContaining("newer hub");

        Path notJson = rewrite(target, "notjson.zip", m -> null, Map.of());
        assertThatThrownBy(() -> BackupArchive.verify(notJson, BackupArchive.Progress.NONE))
                .isInstanceOf(BackupException.class).hasMessageContaining("not JSON");

        assertThatThrownBy(() -> BackupArchive.verify(dir.resolve("none.zip"), BackupArchive.Progress.NONE))
                .isInstanceOf(BackupException.class).hasMessageContaining("no such file");
    }

    /**
     * A copy of the archive with its manifest changed by {@code edit} ({@code null}: not JSON) and entries replaced
     * or added by {@code replace}.
     */
    private Path rewrite(Path archive, String name, UnaryOperator<JsonObject> edit, Map<String, byte[]> replace)
            throws IOException {
        Path out = dir.resolve(name);
        Map<String, byte[]> extra = new LinkedHashMap<>(replace);
        try (ZipFile in = new ZipFile(archive.toFile());
             ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e : Collections.list(in.entries())) {
                byte[] data;
                try (InputStream s = in.getInputStream(e)) {
                    data = s.readAllBytes();
                }
                if (e.getName().equals(BackupArchive.MANIFEST)) {
                    JsonObject m = edit.apply(new JsonObject(new String(data, StandardCharsets.UTF_8)));
                    data = (m == null ? "not json {" : m.encode()).getBytes(StandardCharsets.UTF_8);
                } else if (extra.containsKey(e.getName())) {
                    data = extra.remove(e.getName());
                }
                put(z, e.getName(), data);
            }
            for (var e : extra.entrySet()) {
                put(z, e.getKey(), e.getValue());
            }
        }
        return out;
    }

    private static void put(ZipOutputStream z, String name, byte[] data) throws IOException {
        z.putNextEntry(new ZipEntry(name));
        z.write(data);
        z.closeEntry();
    }

    @Test
    void manifestNamesWhatIsWrong() {
        assertThatThrownBy(() -> BackupManifest.parse(new JsonObject().put("format", "other").encode()))
                .hasMessageContaining("not a Yizhan hub backup manifest");
        JsonObject ok = new JsonObject().put("format", BackupManifest.FORMAT).put("formatVersion", 1)
                .put("hubVersion", "1").put("schemaVersion", "7").put("createdAt", AT.toString())
                .put("files", new JsonArray().add(new JsonObject().put("name", "registry.mv.db").put("bytes", 3)
                        .put("sha256", "b".repeat(64))));
        assertThatThrownBy(() -> BackupManifest.parse(ok.copy().put("createdAt", "yesterday").encode()))
                .hasMessageContaining("wrong type");
        assertThatThrownBy(() -> BackupManifest.parse(ok.copy().put("files", new JsonArray()).encode()))
                .hasMessageContaining("lists no files");
        assertThatThrownBy(() -> BackupManifest.parse(ok.copy().put("schemaVersion", " ").encode()))
                .hasMessageContaining("schemaVersion");
    }
}
