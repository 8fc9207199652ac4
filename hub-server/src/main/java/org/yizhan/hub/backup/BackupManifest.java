package org.yizhan.hub.backup;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a backup archive says about itself ({@code manifest.json}): the hub and registry schema versions that made
 * it, when, and each file's size and SHA-256. The checksums find a damaged or altered archive; they do not prove
 * who made it (anyone who can write the archive can rewrite the manifest too).
 */
public record BackupManifest(int formatVersion, String hubVersion, String schemaVersion, Instant createdAt,
                             List<Entry> files) {

    public static final String FORMAT = "yizhan-hub-backup";
    public static final int FORMAT_VERSION = 1;

    /** One file of the archive, named as it lies in the data directory. */
    public record Entry(String name, long bytes, String sha256) {
    }

    public BackupManifest {
        files = List.copyOf(files);
    }

    public Optional<Entry> file(String name) {
        return files.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    public long totalBytes() {
        return files.stream().mapToLong(Entry::bytes).sum();
    }

    public JsonObject toJson() {
        JsonArray list = new JsonArray();
        files.forEach(f -> list.add(new JsonObject().put("name", f.name()).put("bytes", f.bytes()).put("sha256", f.sha256())));
        return new JsonObject().put("format", FORMAT).put("formatVersion", formatVersion).put("hubVersion", hubVersion)
                .put("schemaVersion", schemaVersion).put("createdAt", createdAt.toString()).put("registry", "h2")
                .put("files", list);
    }

    /**
     * Reads a manifest, naming the first field that is missing or wrong.
     *
     * @throws BackupException when the text is no manifest of this format, or one of a newer format version
     */
    public static BackupManifest parse(String text) throws BackupException {
        JsonObject j;
        try {
            j = new JsonObject(text);
        } catch (RuntimeException e) {
            throw new BackupException("its manifest.json is not JSON");
        }
        try {
            if (!FORMAT.equals(j.getString("format"))) {
                throw new BackupException("its manifest.json is not a Yizhan hub backup manifest (format "
                        + j.getValue("format") + ")");
            }
            int version = j.getInteger("formatVersion", 0);
            if (version < 1) {
                throw new BackupException("its manifest.json has no valid formatVersion");
            }
            if (version > FORMAT_VERSION) {
                throw new BackupException("it is of backup format " + version + ", made by a newer hub; this hub reads "
                        + "format " + FORMAT_VERSION + ": restore it with a newer hub");
            }
            String hub = required(j, "hubVersion");
            String schema = required(j, "schemaVersion");
            Instant created = Instant.parse(required(j, "createdAt"));
            JsonArray list = j.getJsonArray("files");
            if (list == null || list.isEmpty()) {
                throw new BackupException("its manifest.json lists no files");
            }
            List<Entry> files = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                JsonObject f = list.getJsonObject(i);
                String name = required(f, "name");
                long bytes = f.getLong("bytes", -1L);
                String sha = required(f, "sha256");
                if (bytes < 0 || !sha.matches("[0-9a-f]{64}")) {
                    throw new BackupException("its manifest.json has a bad size or checksum for " + name);
                }
                files.add(new Entry(name, bytes, sha));
            }
            return new BackupManifest(version, hub, schema, created, files);
        } catch (ClassCastException | DateTimeParseException e) {
            throw new BackupException("its manifest.json has a field of the wrong type: " + e.getMessage());
        }
    }

    private static String required(JsonObject j, String key) throws BackupException {
        String v = j.getString(key);
        if (v == null || v.isBlank()) {
            throw new BackupException("its manifest.json has no " + key);
        }
        return v;
    }
}
