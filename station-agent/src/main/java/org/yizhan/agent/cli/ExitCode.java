package org.yizhan.agent.cli;

/** The technician CLI's exit codes. */
public final class ExitCode {

    public static final int OK = 0;
    /** Something failed at run time: the agent is not running, the hub refused, ... */
    public static final int FAILED = 1;
    /** Wrong usage or bad input: an unknown option, an unusable configuration file, ... */
    public static final int USAGE = 2;
    /** The hub asked for a restart ({@code agent.restart}); the unit restarts on it ({@code RestartForceExitStatus=75}). */
    public static final int RESTART = 75;

    private ExitCode() {
    }
}
