package org.yizhan.protocol;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.protocol.UpdateBundle.BundleException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Signed agent update bundles: what is accepted, what is refused and why, and that OpenSSL's keys and signatures fit. */
class UpdateBundleTest {

    private static KeyPair release;
    private static KeyPair other;

    @TempDir
    Path tmp;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        release = g.generateKeyPair();
        other = g.generateKeyPair();
    }

    private Path jar(int bytes) throws IOException {
        byte[] b = new byte[bytes];
        new Random(bytes).nextBytes(b);
        Path jar = tmp.resolve("agent-" + bytes + ".jar");
        Files.write(jar, b);
        return jar;
    }

    private byte[] bundle(Path jar, String version) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        UpdateBundle.write(jar, version, release.getPrivate(), release.getPublic(), out);
        return out.toByteArray();
    }

    /** The bundle's entries, in order. */
    private static Map<String, byte[]> entries(byte[] bundle) throws IOException {
        Map<String, byte[]> out = new java.util.LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bundle))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                out.put(e.getName(), zip.readAllBytes());
            }
        }
        return out;
    }

    private static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static UpdateBundle.Verified verify(byte[] bundle, List<PublicKey> keys, Optional<Path> to) throws Exception {
        return UpdateBundle.verify(new ByteArrayInputStream(bundle), keys, to);
    }

    private BundleException refused(byte[] bundle, List<PublicKey> keys) {
        Path to = tmp.resolve("refused/yizhan-agent.jar");
        BundleException e = (BundleException) org.assertj.core.api.Assertions.catchThrowable(
                () -> verify(bundle, keys, Optional.of(to)));
        assertThat(e).as("the bundle is refused").isNotNull();
        assertThat(to).as("nothing of a refused bundle is left").doesNotExist();
        assertThat(to.resolveSibling("yizhan-agent.jar.part")).doesNotExist();
        return e;
    }

    @Test
    void aSignedBundleIsVerifiedAndItsJarLeftWhereAsked() throws Exception {
        Path jar = jar(300_000);
        byte[] bundle = bundle(jar, "0.2.0+u1");
        Path to = tmp.resolve("versions/0.2.0+u1/yizhan-agent.jar");

        UpdateBundle.Verified v = verify(bundle, List.of(other.getPublic(), release.getPublic()), Optional.of(to));

        assertThat(v.manifest().version()).isEqualTo("0.2.0+u1");
        assertThat(v.manifest().size()).isEqualTo(300_000);
        assertThat(v.manifest().sha256()).isEqualTo(UpdateBundle.sha256(jar));
        assertThat(v.keyId()).isEqualTo(UpdateBundle.keyId(release.getPublic())).hasSize(16);
        assertThat(Files.readAllBytes(to)).isEqualTo(Files.readAllBytes(jar));
        assertThat(List.copyOf(entries(bundle).keySet()))
                .containsExactly(UpdateBundle.MANIFEST, UpdateBundle.SIGNATURE, UpdateBundle.JAR);
    }

    @Test
    void aBundleSignedByAKeyNotTrustedIsRefused() throws Exception {
        byte[] bundle = bundle(jar(1000), "0.2.0");
        BundleException e = refused(bundle, List.of(other.getPublic()));
        assertThat(e.code()).isEqualTo("bad-signature");
        assertThat(e.getMessage()).contains("not signed by a trusted release key")
                .contains(UpdateBundle.keyId(release.getPublic()));
        assertThat(refused(bundle, List.of()).getMessage()).contains("no release key is trusted");
    }

    @Test
    void aChangedJarOrManifestIsRefused() throws Exception {
        Map<String, byte[]> e = entries(bundle(jar(5000), "0.2.0"));

        Map<String, byte[]> otherJar = new java.util.LinkedHashMap<>(e);
        byte[] jar = otherJar.get(UpdateBundle.JAR).clone();
        jar[1234] ^= 1;
        otherJar.put(UpdateBundle.JAR, jar);
        BundleException changedJar = refused(zip(otherJar), List.of(release.getPublic()));
        assertThat(changedJar.code()).isEqualTo("bad-bundle");
        assertThat(changedJar.getMessage()).contains("SHA-256");

        Map<String, byte[]> otherVersion = new java.util.LinkedHashMap<>(e);
        JsonObject m = new JsonObject(new String(e.get(UpdateBundle.MANIFEST), StandardCharsets.UTF_8));
        otherVersion.put(UpdateBundle.MANIFEST, m.put("version", "9.9.9").encodePrettily().getBytes(StandardCharsets.UTF_8));
        assertThat(refused(zip(otherVersion), List.of(release.getPublic())).code()).isEqualTo("bad-signature");

        Map<String, byte[]> longer = new java.util.LinkedHashMap<>(e);
        byte[] more = java.util.Arrays.copyOf(e.get(UpdateBundle.JAR), 5001);
        longer.put(UpdateBundle.JAR, more);
        assertThat(refused(zip(longer), List.of(release.getPublic())).getMessage()).contains("longer than the 5000 bytes");
    }

    @Test
    void bundlesOfAnotherShapeAreRefusedWithTheReason() throws Exception {
        Map<String, byte[]> e = entries(bundle(jar(2000), "0.2.0"));
        List<PublicKey> keys = List.of(release.getPublic());

        Map<String, byte[]> extra = new java.util.LinkedHashMap<>(e);
        extra.put("../../etc/cron.d/evil", "* * * * * root sh".getBytes(StandardCharsets.UTF_8));
        assertThat(refused(zip(extra), keys).getMessage()).contains("holds more than");

        Map<String, byte[]> renamed = new java.util.LinkedHashMap<>();
        renamed.put(UpdateBundle.MANIFEST, e.get(UpdateBundle.MANIFEST));
        renamed.put(UpdateBundle.SIGNATURE, e.get(UpdateBundle.SIGNATURE));
        renamed.put("../yizhan-agent.jar", e.get(UpdateBundle.JAR));
        assertThat(refused(zip(renamed), keys).getMessage()).contains("third entry must be yizhan-agent.jar");

        Map<String, byte[]> swapped = new java.util.LinkedHashMap<>();
        swapped.put(UpdateBundle.SIGNATURE, e.get(UpdateBundle.SIGNATURE));
        swapped.put(UpdateBundle.MANIFEST, e.get(UpdateBundle.MANIFEST));
        assertThat(refused(zip(swapped), keys).getMessage()).contains("expected the entry update.json");

        Map<String, byte[]> hugeManifest = new java.util.LinkedHashMap<>(e);
        hugeManifest.put(UpdateBundle.MANIFEST, new byte[100_000]);
        assertThat(refused(zip(hugeManifest), keys).getMessage()).contains("larger than 4096 bytes");

        Map<String, byte[]> notJson = new java.util.LinkedHashMap<>(e);
        notJson.put(UpdateBundle.SIGNATURE, "{\"alg\":\"Ed25519\",\"signature\":\"***\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(refused(zip(notJson), keys).code()).isEqualTo("bad-signature");

        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        assertThat(refused(noise, keys).code()).isEqualTo("bad-bundle");
        assertThat(refused(new byte[0], keys).getMessage()).contains("no update.json entry");
    }

    @Test
    void aVersionThatCouldBeAPathIsRefusedWhenWriting() {
        for (String bad : List.of("../1.0", "1.0/x", "", "v1", "1 0", "1;rm")) {
            assertThatThrownBy(() -> bundle(jar(10), bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void keysMadeByOpenSslSignBundlesOpenSslCanCheckAndTheOtherWayRound() throws Exception {
        Path key = tmp.resolve("release.key");
        Path pub = tmp.resolve("release.pub");
        openssl("genpkey", "-algorithm", "ed25519", "-out", key.toString());
        openssl("pkey", "-in", key.toString(), "-pubout", "-out", pub.toString());
        var privateKey = UpdateBundle.privateKey(Files.readString(key));
        PublicKey publicKey = UpdateBundle.publicKeys(Files.readString(pub)).get(0);

        // our signature, checked by OpenSSL
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        UpdateBundle.write(jar(777), "1.0.0", privateKey, publicKey, out);
        Map<String, byte[]> e = entries(out.toByteArray());
        Path manifest = tmp.resolve("update.json");
        Files.write(manifest, e.get(UpdateBundle.MANIFEST));
        Path sig = tmp.resolve("sig.bin");
        Files.write(sig, java.util.Base64.getDecoder().decode(new JsonObject(
                new String(e.get(UpdateBundle.SIGNATURE), StandardCharsets.UTF_8)).getString("signature")));
        assertThat(openssl("pkeyutl", "-verify", "-pubin", "-inkey", pub.toString(), "-rawin", "-in",
                manifest.toString(), "-sigfile", sig.toString())).contains("Signature Verified Successfully");

        // OpenSSL's signature over the same manifest, checked by us
        Path osslSig = tmp.resolve("ossl.sig");
        openssl("pkeyutl", "-sign", "-inkey", key.toString(), "-rawin", "-in", manifest.toString(), "-out",
                osslSig.toString());
        e.put(UpdateBundle.SIGNATURE, new JsonObject().put("alg", "Ed25519").put("keyId", "openssl")
                .put("signature", java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(osslSig)))
                .encode().getBytes(StandardCharsets.UTF_8));
        assertThat(verify(zip(e), List.of(publicKey), Optional.empty()).keyId())
                .isEqualTo(UpdateBundle.keyId(publicKey));

        // our PEM forms read back as the same keys
        assertThat(UpdateBundle.publicKeys(UpdateBundle.pem(publicKey))).containsExactly(publicKey);
        assertThat(UpdateBundle.privateKey(UpdateBundle.pem(privateKey)).getEncoded()).isEqualTo(privateKey.getEncoded());
    }

    private static String openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("openssl " + String.join(" ", args) + ": " + out).isZero();
        return out;
    }
}
