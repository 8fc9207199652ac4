package org.yizhan.bench.fleet;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which process is whose child, from one pass over {@code /proc/*}{@code /stat} (field 4, the parent's pid), so
 * that a server made of several processes is measured whole: PostgreSQL does its work in backends and background
 * workers that are children of the postmaster, not in the postmaster itself. Read once per snapshot and asked
 * about several roots. Processes that end while they are read are left out (their CPU is then in their parent's
 * {@code cutime}/{@code cstime} once it has waited for them, which {@link #stats} counts).
 */
final class ProcessTree {

    private final Path proc;
    private final Map<Long, List<Long>> children;

    private ProcessTree(Path proc, Map<Long, List<Long>> children) {
        this.proc = proc;
        this.children = children;
    }

    /** The processes of this machine, now. */
    static ProcessTree scan() throws IOException {
        return scan(ProcStats.PROC);
    }

    /** The processes of a {@code /proc}-like directory: numeric subdirectories, each with a {@code stat}. */
    static ProcessTree scan(Path proc) throws IOException {
        Map<Long, Long> parents = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    parents.put(Long.parseLong(name), ProcStats.parentOf(Files.readString(dir.resolve("stat"))));
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            }
        }
        return of(proc, parents);
    }

    /** A tree from pid → parent pid, for processes under {@code proc}. */
    static ProcessTree of(Path proc, Map<Long, Long> parents) {
        Map<Long, List<Long>> children = new HashMap<>();
        parents.forEach((pid, parent) -> children.computeIfAbsent(parent, p -> new ArrayList<>()).add(pid));
        return new ProcessTree(proc, children);
    }

    /** {@code root} and all its descendants, root first. */
    Set<Long> under(long root) {
        Set<Long> out = new LinkedHashSet<>();
        Deque<Long> todo = new ArrayDeque<>();
        todo.add(root);
        while (!todo.isEmpty()) {
            long pid = todo.poll();
            if (out.add(pid)) {
                todo.addAll(children.getOrDefault(pid, List.of()));
            }
        }
        return out;
    }

    /**
     * CPU (utime + stime + cutime + cstime), JIT threads' CPU, VmRSS and VmHWM summed over {@code root} and its
     * descendants. Memory shared between them (PostgreSQL's shared buffers) is counted once per process that
     * touched it, so the sum overstates a tree's resident memory. Fails if {@code root} itself cannot be read.
     */
    ProcStats stats(long root) throws IOException {
        ProcStats sum = ProcStats.read(proc, root, true);
        for (long pid : under(root)) {
            if (pid != root) {
                try {
                    sum = sum.plus(ProcStats.read(proc, pid, true));
                } catch (IOException | RuntimeException e) {
                    // ended meanwhile
                }
            }
        }
        return sum;
    }

    /**
     * The sockets {@code root} and its descendants hold: entries of {@code <pid>/fd} that link to {@code socket:[..]}
     * (TCP connections and listeners, and Unix sockets). A socket shared by a parent and its child is counted in
     * each.
     */
    long sockets(long root) {
        long n = 0;
        for (long pid : under(root)) {
            n += socketsOf(proc.resolve(Long.toString(pid)).resolve("fd"));
        }
        return n;
    }

    private static long socketsOf(Path fdDir) {
        long n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        n++;
                    }
                } catch (IOException | RuntimeException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return n;
    }
}
