package org.yizhan.bench.fleet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The Prometheus text exposition format (version 0.0.4), parsed into samples. */
public record PrometheusText(List<Sample> samples) {

    /** One line: metric name, labels and value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    public PrometheusText {
        samples = List.copyOf(samples);
    }

    /**
     * Parses the exposition text. Comment lines and blank lines are skipped.
     *
     * @throws IllegalArgumentException naming the line number when a line is not a sample
     */
    public static PrometheusText parse(String text) {
        List<Sample> out = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                out.add(parseLine(line));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + (n + 1) + ": " + e.getMessage() + ": " + line);
            }
        }
        return new PrometheusText(out);
    }

    private static Sample parseLine(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
            i++;
        }
        String name = line.substring(0, i);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("missing metric name");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == ',')) {
                    i++;
                }
                if (i >= line.length()) {
                    throw new IllegalArgumentException("unterminated labels");
                }
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("label without =\"value\"");
                }
                String key = line.substring(i, eq).strip();
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                while (true) {
                    if (j >= line.length()) {
                        throw new IllegalArgumentException("unterminated label value");
                    }
                    char c = line.charAt(j);
                    if (c == '\\' && j + 1 < line.length()) {
                        char e = line.charAt(j + 1);
                        value.append(e == 'n' ? '\n' : e);
                        j += 2;
                    } else if (c == '"') {
                        j++;
                        break;
                    } else {
                        value.append(c);
                        j++;
                    }
                }
                labels.put(key, value.toString());
                i = j;
            }
        }
        String[] rest = line.substring(i).strip().split("\\s+");
        if (rest.length == 0 || rest[0].isEmpty()) {
            throw new IllegalArgumentException("missing value");
        }
        return new Sample(name, Collections.unmodifiableMap(labels), parseValue(rest[0]));
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }

    /** Sum of all samples named {@code name} (over every label set); 0 when there are none. */
    public double sum(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).mapToDouble(Sample::value).sum();
    }

    /** The samples named {@code name}, per value of one label. */
    public Map<String, Double> byLabel(String name, String label) {
        Map<String, Double> out = new TreeMap<>();
        for (Sample s : samples) {
            if (s.name().equals(name)) {
                out.merge(s.labels().getOrDefault(label, ""), s.value(), Double::sum);
            }
        }
        return out;
    }

    /**
     * The histogram {@code base} (its {@code base_bucket} samples by {@code le}), summed over other labels.
     * Empty when the text has no such buckets.
     */
    public Optional<BucketHistogram> histogram(String base) {
        TreeMap<Double, Double> byBound = new TreeMap<>();
        for (Sample s : samples) {
            if (s.name().equals(base + "_bucket") && s.labels().containsKey("le")) {
                byBound.merge(parseValue(s.labels().get("le")), s.value(), Double::sum);
            }
        }
        if (byBound.isEmpty() || !byBound.containsKey(Double.POSITIVE_INFINITY)) {
            return Optional.empty();
        }
        double[] bounds = new double[byBound.size()];
        long[] counts = new long[byBound.size()];
        int k = 0;
        for (Map.Entry<Double, Double> e : byBound.entrySet()) {
            bounds[k] = e.getKey();
            counts[k] = Math.round(e.getValue());
            k++;
        }
        return Optional.of(new BucketHistogram(bounds, counts));
    }
}
