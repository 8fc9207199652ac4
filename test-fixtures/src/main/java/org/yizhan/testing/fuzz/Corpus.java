package org.yizhan.testing.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The seed inputs of one fuzz target: every file under {@code src/test/resources/fuzz/<target>/} of the module
 * (valid inputs, and inputs that once broke a parser, kept so they are tried with every build).
 */
public final class Corpus {

    private final String target;
    private final List<byte[]> seeds;
    private final List<String> names;

    private Corpus(String target, List<byte[]> seeds, List<String> names) {
        this.target = target;
        this.seeds = List.copyOf(seeds);
        this.names = List.copyOf(names);
    }

    private Corpus(String target, List<byte[]> seeds) {
        this(target, seeds, java.util.stream.IntStream.range(0, seeds.size()).mapToObj(i -> "seed-" + i).toList());
    }

    /** The seeds on the test class path under {@code fuzz/<target>/}; at least one must be there. */
    public static Corpus load(String target) {
        URL dir = Corpus.class.getClassLoader().getResource("fuzz/" + target);
        if (dir == null) {
            throw new IllegalStateException("no corpus: src/test/resources/fuzz/" + target + "/ is missing");
        }
        List<byte[]> seeds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            for (Path f : files.sorted().toList()) {
                seeds.add(Files.readAllBytes(f));
                names.add(f.getFileName().toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (seeds.isEmpty()) {
            throw new IllegalStateException("no corpus: src/test/resources/fuzz/" + target + "/ is empty");
        }
        return new Corpus(target, seeds, names);
    }

    /** A corpus of seeds made in code (when a valid input needs a key or a clock). */
    public static Corpus of(String target, List<byte[]> seeds) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("a corpus needs a seed");
        }
        return new Corpus(target, seeds);
    }

    /** This corpus with more seeds. */
    public Corpus with(List<byte[]> more) {
        List<byte[]> all = new ArrayList<>(seeds);
        all.addAll(more);
        List<String> allNames = new ArrayList<>(names);
        for (int i = 0; i < more.size(); i++) {
            allNames.add("seed-" + (names.size() + i));
        }
        return new Corpus(target, all, allNames);
    }

    public List<byte[]> seeds() {
        return seeds;
    }

    /** The file name of each seed (for seeds made in code, {@code seed-<n>}), in the order of {@link #seeds()}. */
    public List<String> names() {
        return names;
    }

    /** A corpus of the one seed at {@code index}, to mutate that seed alone. */
    public Corpus only(int index) {
        return new Corpus(target, List.of(seeds.get(index)), List.of(names.get(index)));
    }

    byte[] pick(Random random) {
        return seeds.get(random.nextInt(seeds.size()));
    }

    @Override
    public String toString() {
        return "Corpus[" + target + ", " + seeds.size() + " seeds]";
    }
}
