package org.yizhan.agent.uplink;

/** A command that could not be carried out, with the code sent back in {@code error.code}. */
public final class CommandFailure extends RuntimeException {

    private final String code;

    public CommandFailure(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
