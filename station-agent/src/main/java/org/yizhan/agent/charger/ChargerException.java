package org.yizhan.agent.charger;

/** A charger request that is refused, with the code the command result carries ({@code cabinet-limit}, ...). */
public final class ChargerException extends RuntimeException {

    private final String code;

    public ChargerException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
