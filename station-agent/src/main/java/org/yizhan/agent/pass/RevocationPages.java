package org.yizhan.agent.pass;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pages of the whole revocation list, held in memory until every page of one version has arrived; only then is
 * the list handed over, whole, to replace the one in force. Pages may come in any order and more than once. A page
 * of a newer version drops what was staged; a page of an older version than the one staged is dropped. A list
 * whose pages never all arrive is never applied. At most {@code maxMembers} members are staged.
 */
final class RevocationPages {

    /** What a page led to: {@code complete} holds the whole list once its last page is in. */
    record Offer(long version, int pages, int have, boolean superseded, Optional<List<String>> complete) {
    }

    private final int maxMembers;
    private final Map<Integer, List<String>> staged = new HashMap<>();
    private long version = -1;
    private int pages;
    private int members;

    RevocationPages(int maxMembers) {
        this.maxMembers = maxMembers;
    }

    /**
     * Stages page {@code page} (1 to {@code pages}) of the list of {@code version}. Fails with an
     * IllegalArgumentException, staging nothing of that version, when the pages would hold more than the most
     * members a list may have.
     */
    Offer offer(long version, int page, int pages, List<String> list) {
        if (page < 1 || page > pages) {
            throw new IllegalArgumentException("page " + page + " is not one of 1 to " + pages);
        }
        if (version < this.version) {
            return new Offer(this.version, this.pages, staged.size(), true, Optional.empty());
        }
        if (version > this.version || pages != this.pages) {
            // a newer list, or the same version split anew: what was staged cannot be completed any more
            clear();
            this.version = version;
            this.pages = pages;
        }
        List<String> earlier = staged.get(page);
        int after = members - (earlier == null ? 0 : earlier.size()) + list.size();
        if (after > maxMembers) {
            clear();
            throw new IllegalArgumentException("the list of version " + version + " has more than " + maxMembers
                    + " members");
        }
        staged.put(page, List.copyOf(list));
        members = after;
        if (staged.size() < pages) {
            return new Offer(version, pages, staged.size(), false, Optional.empty());
        }
        List<String> whole = new ArrayList<>(members);
        for (int i = 1; i <= pages; i++) {
            whole.addAll(staged.get(i));
        }
        clear();
        return new Offer(version, pages, pages, false, Optional.of(whole));
    }

    /** The version being staged, if any page is. */
    Optional<Long> staging() {
        return staged.isEmpty() ? Optional.empty() : Optional.of(version);
    }

    private void clear() {
        staged.clear();
        members = 0;
        version = -1;
        pages = 0;
    }
}
