package org.yizhan.agent.face;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Templates at rest: sealed with the station's key, kept only with consent, gone on withdrawal. */
@ExtendWith(VertxExtension.class)
class FaceStoreTest {

    private static final String MEMBER = "m-abcdefghijklmnop";

    private static float[] embedding() {
        float[] e = new float[128];
        for (int i = 0; i < e.length; i++) {
            e[i] = (float) Math.sin(i * 0.37 + 1.1);
        }
        return e;
    }

    @Test
    void theFileOnDiskHoldsNoEmbeddingBytesAndTheKeyIsPrivate(Vertx vertx, @TempDir Path dir) throws Exception {
        FaceStore store = new FaceStore(vertx, dir);
        get(store.open());
        get(store.applyConsent(MEMBER, true, false, 1));
        float[] e = embedding();
        get(store.add(MEMBER, FaceStore.LOCAL, e, 1000));
        assertThat(get(store.templates())).singleElement().satisfies(t -> assertThat(t.embedding()).containsExactly(e));
        get(store.close());

        byte[] plain = TemplateCipher.toBytes(e);
        byte[] probe = java.util.Arrays.copyOfRange(plain, 40, 56);
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            assertThat(all).as("files of the state directory").anyMatch(p -> p.endsWith("face.db"));
            for (Path p : all) {
                byte[] content = Files.readAllBytes(p);
                assertThat(indexOf(content, probe)).as("16 embedding bytes in the clear in " + p.getFileName()).isEqualTo(-1);
            }
        }
        assertThat(dir.resolve(TemplateCipher.KEY_FILE)).as("not beside face.db").doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key(dir)))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key(dir).getParent())))
                .isEqualTo("rwx------");
        assertThat(Files.size(key(dir))).isEqualTo(32);
    }

    @Test
    void aWrongKeyFailsCleanlyAndNamesTheKeyFile(Vertx vertx, @TempDir Path dir) throws Exception {
        FaceStore store = new FaceStore(vertx, dir);
        get(store.open());
        get(store.applyConsent(MEMBER, true, false, 1));
        get(store.add(MEMBER, FaceStore.LOCAL, embedding(), 1000));
        get(store.close());
        byte[] other = new byte[32];
        new java.security.SecureRandom().nextBytes(other);
        Files.write(key(dir), other);

        FaceStore reopened = new FaceStore(vertx, dir);
        get(reopened.open());
        assertThatThrownBy(() -> get(reopened.templates())).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TemplateCipher.WrongKeyException.class)
                .hasMessageContaining("does not open with this station's key").hasMessageContaining("face.key");
        assertThat(get(reopened.count(MEMBER))).as("nothing lost: the sealed template is still there").isEqualTo(1);
        get(reopened.close());

        Files.write(key(dir), new byte[5]);
        FaceStore shortKey = new FaceStore(vertx, dir);
        get(shortKey.open());
        assertThatThrownBy(() -> get(shortKey.templates())).cause().hasMessageContaining("must be 32 bytes");
        get(shortKey.close());
    }

    @Test
    void keepsTemplatesOnlyWithConsentAndDeletesThemOnWithdrawal(Vertx vertx, @TempDir Path dir) throws Exception {
        FaceStore store = new FaceStore(vertx, dir);
        get(store.open());
        assertThatThrownBy(() -> get(store.add(MEMBER, FaceStore.LOCAL, embedding(), 1)))
                .cause().isInstanceOf(FaceStore.NoConsentException.class);
        get(store.applyConsent(MEMBER, true, false, 10));
        get(store.add(MEMBER, FaceStore.LOCAL, embedding(), 2));
        assertThatThrownBy(() -> get(store.add(MEMBER, FaceStore.SYNCED, embedding(), 3)))
                .as("a copy from another station needs sync consent").cause()
                .isInstanceOf(FaceStore.NoConsentException.class);
        assertThat(get(store.pendingUploads())).as("nothing leaves without sync consent").isEmpty();

        get(store.applyConsent(MEMBER, true, true, 11));
        get(store.add(MEMBER, FaceStore.SYNCED, embedding(), 4));
        assertThat(get(store.pendingUploads())).hasSize(1).allMatch(t -> t.origin().equals(FaceStore.LOCAL));
        assertThat(get(store.applyConsent(MEMBER, true, false, 9))).as("an older state is ignored").isEqualTo(-1);
        assertThat(get(store.count(MEMBER))).isEqualTo(2);

        assertThat(get(store.applyConsent(MEMBER, true, false, 12))).as("sync denied: the synced copy goes").isEqualTo(1);
        assertThat(get(store.templates())).singleElement().satisfies(t -> assertThat(t.origin()).isEqualTo(FaceStore.LOCAL));
        long local = get(store.templates()).get(0).id();
        get(store.applyConsent(MEMBER, true, true, 121));
        get(store.markUploaded(local));
        assertThat(get(store.pendingUploads())).as("uploaded once").isEmpty();
        get(store.applyConsent(MEMBER, true, false, 122));
        get(store.applyConsent(MEMBER, true, true, 123));
        assertThat(get(store.pendingUploads())).as("the hub deleted its copy when sync was denied: it goes up again")
                .singleElement().satisfies(t -> assertThat(t.id()).isEqualTo(local));

        assertThat(get(store.withdraw(MEMBER, 200))).isEqualTo(1);
        assertThat(get(store.count(MEMBER))).isZero();
        assertThat(get(store.consent(MEMBER))).hasValueSatisfying(c -> assertThat(c.given()).isFalse());
        assertThatThrownBy(() -> get(store.add(MEMBER, FaceStore.LOCAL, embedding(), 5)))
                .cause().isInstanceOf(FaceStore.NoConsentException.class);
        get(store.close());
    }

    /** Where the key lives: its own directory under the state directory, not beside face.db. */
    private static Path key(Path dir) {
        return dir.resolve("keys").resolve(TemplateCipher.KEY_FILE);
    }

    @Test
    void movesAKeyFromBesideTheDatabaseToItsOwnDirectoryAndStillOpensTheTemplates(Vertx vertx, @TempDir Path dir)
            throws Exception {
        FaceStore store = new FaceStore(vertx, dir);
        get(store.open());
        get(store.applyConsent(MEMBER, true, false, 1));
        get(store.add(MEMBER, FaceStore.LOCAL, embedding(), 1000));
        get(store.add(MEMBER, FaceStore.LOCAL, embedding(), 1001));
        get(store.close());
        // the layout of older agents: face.key beside face.db, 0600, no keys/ directory
        byte[] original = Files.readAllBytes(key(dir));
        Files.move(key(dir), dir.resolve(TemplateCipher.KEY_FILE));
        Files.delete(key(dir).getParent());

        FaceStore moved = new FaceStore(vertx, dir);
        get(moved.open());
        assertThat(get(moved.templates())).as("every template still opens").hasSize(2)
                .allSatisfy(t -> assertThat(t.embedding()).containsExactly(embedding()));
        get(moved.close());
        assertThat(dir.resolve(TemplateCipher.KEY_FILE)).as("gone from beside face.db").doesNotExist();
        assertThat(Files.readAllBytes(key(dir))).as("the same key, moved").isEqualTo(original);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key(dir)))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key(dir).getParent())))
                .isEqualTo("rwx------");

        // a different key at each place: neither is thrown away, and the agent says what to do
        byte[] other = new byte[32];
        new java.security.SecureRandom().nextBytes(other);
        Files.createFile(dir.resolve(TemplateCipher.KEY_FILE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(dir.resolve(TemplateCipher.KEY_FILE), other);
        FaceStore twoKeys = new FaceStore(vertx, dir);
        assertThatThrownBy(() -> get(twoKeys.open())).cause().hasMessageContaining("two different face template keys")
                .hasMessageContaining(key(dir).toString());
        assertThat(Files.readAllBytes(dir.resolve(TemplateCipher.KEY_FILE))).isEqualTo(other);
        assertThat(Files.readAllBytes(key(dir))).isEqualTo(original);
    }

    @Test
    void refusesToStartWithAKeyThatGroupOrOthersMayRead(Vertx vertx, @TempDir Path dir) throws Exception {
        FaceStore store = new FaceStore(vertx, dir);
        get(store.open());
        get(store.applyConsent(MEMBER, true, false, 1));
        get(store.add(MEMBER, FaceStore.LOCAL, embedding(), 1000));
        get(store.close());
        for (String perms : new String[]{"rw-r-----", "rw-r--r--", "rw-------"}) {
            Files.setPosixFilePermissions(key(dir), PosixFilePermissions.fromString(perms));
            FaceStore reopened = new FaceStore(vertx, dir);
            if (perms.equals("rw-------")) {
                get(reopened.open());
                assertThat(get(reopened.templates())).hasSize(1);
                get(reopened.close());
            } else {
                assertThatThrownBy(() -> get(reopened.open())).as(perms).cause()
                        .hasMessageContaining("may be read by group or others")
                        .hasMessageContaining("chmod 600 " + key(dir));
                get(reopened.close());
            }
        }
        // at the old place beside face.db, too: not moved, refused the same way
        Files.move(key(dir), dir.resolve(TemplateCipher.KEY_FILE));
        Files.setPosixFilePermissions(dir.resolve(TemplateCipher.KEY_FILE), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> get(new FaceStore(vertx, dir).open())).cause()
                .hasMessageContaining("may be read by group or others");
    }

    @Test
    void takesTheKeyFromTheSystemdCredentialsDirectory(Vertx vertx, @TempDir Path dir, @TempDir Path credentials)
            throws Exception {
        FaceStore store = new FaceStore(vertx, dir);
        get(store.open());
        get(store.applyConsent(MEMBER, true, false, 1));
        get(store.add(MEMBER, FaceStore.LOCAL, embedding(), 1000));
        get(store.close());
        // the operator hands the same key over as a credential (LoadCredential=face.key:...), owner-read-only
        Files.copy(key(dir), credentials.resolve(TemplateCipher.KEY_FILE));
        Files.setPosixFilePermissions(credentials.resolve(TemplateCipher.KEY_FILE),
                PosixFilePermissions.fromString("r--------"));
        Files.move(key(dir), dir.resolve(TemplateCipher.KEY_FILE));

        FaceStore fromCredentials = new FaceStore(vertx, dir,
                java.util.Map.of("CREDENTIALS_DIRECTORY", credentials.toString()));
        assertThat(fromCredentials.keyFile()).isEqualTo(credentials.resolve(TemplateCipher.KEY_FILE));
        get(fromCredentials.open());
        assertThat(get(fromCredentials.templates())).hasSize(1);
        get(fromCredentials.close());
        assertThat(dir.resolve(TemplateCipher.KEY_FILE)).as("the copy beside face.db removed").doesNotExist();
        assertThat(key(dir)).doesNotExist();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
