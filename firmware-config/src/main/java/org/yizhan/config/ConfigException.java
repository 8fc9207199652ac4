package org.yizhan.config;

import java.util.List;

/**
 * A station configuration that cannot be used. {@link #problems()} lists every problem found, each as
 * {@code path: what is wrong}, e.g. {@code charger.ports[2].relayPin: pin 40 does not exist on pi4b}.
 */
public final class ConfigException extends Exception {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
