package org.yizhan.hub.passes;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.yizhan.access.RiderPass;
import org.yizhan.hub.members.MemberStore;
import org.yizhan.protocol.Limits;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The args of {@code credentials.sync} commands: every one within a command's size limit. */
class RevocationCommandsTest {

    private final SecureRandom random = new SecureRandom();

    private List<String> members(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(RiderPass.pseudonym(RiderPass.newMemberId(random)));
        }
        return out;
    }

    @Test
    void splitsALongListIntoPagesThatEachFitACommandAndTogetherHoldItInOrder() {
        List<String> list = members(20_000);
        int limit = Limits.COMMAND_ARGS_CHARS;

        List<JsonObject> pages = RevocationCommands.full(new MemberStore.Revocations(list, 123_456_789L), limit);

        List<String> joined = new ArrayList<>();
        for (int i = 0; i < pages.size(); i++) {
            JsonObject p = pages.get(i);
            assertThat(p.encode().length()).as("page %d", i + 1).isLessThanOrEqualTo(limit);
            assertThat(p.getInteger("page")).isEqualTo(i + 1);
            assertThat(p.getInteger("pages")).isEqualTo(pages.size());
            assertThat(p.getLong("version")).isEqualTo(123_456_789L);
            p.getJsonArray("members").forEach(m -> joined.add((String) m));
        }
        assertThat(joined).isEqualTo(list.stream().sorted().toList());
        int perPage = limit / 21;
        assertThat(pages.size()).as("pages filled, not a fixed count of members")
                .isBetween(20_000 / perPage, 20_000 / perPage + 2);
        assertThat(RevocationCommands.full(new MemberStore.Revocations(new ArrayList<>(list), 123_456_789L), limit))
                .as("the same list always gives the same pages").isEqualTo(pages);
    }

    @Test
    void sendsAnEmptyListAsOneEmptyPage() {
        List<JsonObject> pages = RevocationCommands.full(new MemberStore.Revocations(List.of(), 0), 8192);

        assertThat(pages).hasSize(1);
        assertThat(pages.get(0).getJsonArray("members")).isEmpty();
        assertThat(pages.get(0).getInteger("pages")).isEqualTo(1);
    }

    @Test
    void usesADeltaOnlyWhenItFitsOneCommand() {
        MemberStore.RevocationDelta small = new MemberStore.RevocationDelta(5, 7, members(2), members(1));
        MemberStore.RevocationDelta large = new MemberStore.RevocationDelta(5, 900, members(400), List.of());

        JsonObject args = RevocationCommands.delta(small, Limits.COMMAND_ARGS_CHARS).orElseThrow();

        assertThat(args.getString("mode")).isEqualTo("delta");
        assertThat(args.getLong("from")).isEqualTo(5);
        assertThat(args.getLong("to")).isEqualTo(7);
        assertThat(args.getJsonArray("add")).hasSize(2);
        assertThat(args.getJsonArray("remove")).hasSize(1);
        assertThat(RevocationCommands.delta(large, Limits.COMMAND_ARGS_CHARS)).as("400 members: over 8 KiB").isEmpty();
    }
}
