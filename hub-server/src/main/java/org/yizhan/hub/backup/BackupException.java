package org.yizhan.hub.backup;

/** A backup or restore that cannot go on, with a message for the person who ran it (names the file and why). */
public final class BackupException extends Exception {

    public BackupException(String message) {
        super(message);
    }

    public BackupException(String message, Throwable cause) {
        super(message, cause);
    }
}
