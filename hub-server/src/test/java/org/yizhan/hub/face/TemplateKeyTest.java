package org.yizhan.hub.face;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemplateKeyTest {

    @Test
    void livesBesideTheDataDirectoryNeverInItUnlessToldOtherwise(@TempDir Path root) throws Exception {
        Path data = root.resolve("data");
        Path file = TemplateKey.locate("", data, Map.of());
        assertThat(file).isEqualTo(root.resolve("data-keys").resolve(TemplateKey.FILE));
        assertThat(file.startsWith(data)).as("not inside the registry's directory").isFalse();
        assertThat(TemplateKey.locate("/etc/yizhan/face.key", data, Map.of())).isEqualTo(Path.of("/etc/yizhan/face.key"));

        Path credentials = Files.createDirectory(root.resolve("creds"));
        assertThat(TemplateKey.locate("", data, Map.of("CREDENTIALS_DIRECTORY", credentials.toString())))
                .as("no credential handed over").isEqualTo(file);
        Files.write(credentials.resolve(TemplateKey.FILE), new byte[32]);
        assertThat(TemplateKey.locate("", data, Map.of("CREDENTIALS_DIRECTORY", credentials.toString())))
                .isEqualTo(credentials.resolve(TemplateKey.FILE));
    }

    @Test
    void isMadeOnFirstStartReadableByTheHubAloneAndKeptAfter(@TempDir Path root) throws Exception {
        Path file = root.resolve("data-keys").resolve(TemplateKey.FILE);
        TemplateKey made = TemplateKey.loadOrCreate(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(Files.size(file)).isEqualTo(32);
        assertThat(TemplateKey.loadOrCreate(file).id()).as("the same key at the next start").isEqualTo(made.id());
        byte[] sealed = made.seal(new byte[]{1, 2, 3, 4}, "row", "member", "station");
        assertThat(TemplateKey.loadOrCreate(file).open(sealed, made.id(), "row", "member", "station"))
                .containsExactly(1, 2, 3, 4);
        assertThat(made.seal(new byte[]{1, 2, 3, 4}, "row", "member", "station")).as("a fresh nonce per row")
                .isNotEqualTo(sealed);
    }

    @Test
    void refusesAKeyFileThatGroupOrOthersMayRead(@TempDir Path root) throws Exception {
        Path file = root.resolve(TemplateKey.FILE);
        TemplateKey.loadOrCreate(file);
        for (String perms : new String[]{"rw-r-----", "rw----r--", "rw--w----"}) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
            assertThatThrownBy(() -> TemplateKey.loadOrCreate(file)).as(perms)
                    .hasMessageContaining(file.toString()).hasMessageContaining("chmod 600");
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
        assertThat(TemplateKey.loadOrCreate(file).id()).hasSize(12);
    }

    @Test
    void refusesAKeyOfTheWrongLength(@TempDir Path root) throws Exception {
        Path file = root.resolve(TemplateKey.FILE);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, new byte[5]);
        assertThatThrownBy(() -> TemplateKey.loadOrCreate(file)).hasMessageContaining("must be 32 bytes");
    }
}
