package org.yizhan.hub.passes;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.members.MemberStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The args of {@code credentials.sync} commands, each within a command's size limit: a delta
 * {@code {"mode":"delta","from","to","add":[..],"remove":[..]}}, or the whole list in pages
 * {@code {"mode":"full","version","page":1..n,"pages":n,"members":[..]}} (the members sorted, split wherever the
 * next one would not fit; the same list always gives the same pages).
 */
final class RevocationCommands {

    static final String MODE = "mode";
    static final String DELTA = "delta";
    static final String FULL = "full";

    private RevocationCommands() {
    }

    /** The delta as command args, if they fit {@code maxChars}. */
    static Optional<JsonObject> delta(MemberStore.RevocationDelta d, int maxChars) {
        JsonObject args = new JsonObject().put(MODE, DELTA).put("from", d.from()).put("to", d.to())
                .put("add", new JsonArray(d.add())).put("remove", new JsonArray(d.remove()));
        return args.encode().length() <= maxChars ? Optional.of(args) : Optional.empty();
    }

    /** The whole list as pages of command args, each at most {@code maxChars}; one empty page for an empty list. */
    static List<JsonObject> full(MemberStore.Revocations r, int maxChars) {
        List<String> members = r.pseudonyms().stream().sorted().toList();
        // the envelope with page numbers as long as any this list can need
        long widest = members.size() + 1L;
        int room = maxChars - page(r.version(), widest, widest, new JsonArray()).encode().length();
        List<List<String>> split = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int used = 0;
        for (String m : members) {
            int cost = new JsonArray().add(m).encode().length() - 2 + (current.isEmpty() ? 0 : 1);
            if (used + cost > room && !current.isEmpty()) {
                split.add(current);
                current = new ArrayList<>();
                used = 0;
                cost -= 1;
            }
            if (cost > room) {
                throw new IllegalArgumentException("a member pseudonym does not fit a command: " + m);
            }
            current.add(m);
            used += cost;
        }
        split.add(current);
        List<JsonObject> pages = new ArrayList<>(split.size());
        for (int i = 0; i < split.size(); i++) {
            pages.add(page(r.version(), i + 1, split.size(), new JsonArray(split.get(i))));
        }
        return pages;
    }

    private static JsonObject page(long version, long page, long pages, JsonArray members) {
        return new JsonObject().put(MODE, FULL).put("version", version).put("page", page).put("pages", pages)
                .put("members", members);
    }
}
