package org.yizhan.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicsTest {

    @Test
    void buildsRootAndChannelTopics() {
        assertThat(Topics.root("st-001")).isEqualTo("yizhan/v1/stations/st-001/");
        assertThat(Topics.of("st-001", Channel.STATE)).isEqualTo("yizhan/v1/stations/st-001/state");
        assertThat(Topics.of("st-001", Channel.COMMAND)).isEqualTo("yizhan/v1/stations/st-001/cmd");
        assertThat(Topics.of("st-001", Channel.COMMAND_RESULT)).isEqualTo("yizhan/v1/stations/st-001/cmd/res");
        assertThat(new Topics.Address("abc", Channel.CONFIG).topic()).isEqualTo("yizhan/v1/stations/abc/config");
    }

    @ParameterizedTest
    @EnumSource(Channel.class)
    void parsesEveryChannelTopicItBuilds(Channel channel) {
        String id = "station-0123456789-0123456789-0123456789"; // 40 characters, the longest allowed
        assertThat(id).hasSize(40);
        assertThat(Topics.parse(Topics.of(id, channel))).contains(new Topics.Address(id, channel));
    }

    @Test
    void tellsCommandFromCommandResult() {
        assertThat(Topics.parse("yizhan/v1/stations/st-001/cmd")).map(Topics.Address::channel)
                .contains(Channel.COMMAND);
        assertThat(Topics.parse("yizhan/v1/stations/st-001/cmd/res")).map(Topics.Address::channel)
                .contains(Channel.COMMAND_RESULT);
        assertThat(Topics.parse("yizhan/v1/stations/st-001/cmd/")).isEmpty();
        assertThat(Topics.parse("yizhan/v1/stations/st-001/cmd/res/x")).isEmpty();
        assertThat(Topics.parse("yizhan/v1/stations/st-001/cmd/result")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "st-001", "0-0", "a-very-long-but-valid-station-id-0000040"})
    void acceptsValidStationIds(String id) {
        assertThat(Topics.isValidStationId(id)).as(id).isTrue();
        assertThat(Topics.requireStationId(id)).isEqualTo(id);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"ab", "ST-001", "St-001", "st_001", "st/001", "st+", "st#1", "+", "#", "st 001",
            "a-very-long-station-id-that-is-over-forty-chars", "站点-001"})
    void rejectsInvalidStationIds(String id) {
        assertThat(Topics.isValidStationId(id)).as(String.valueOf(id)).isFalse();
        assertThatThrownBy(() -> Topics.root(id)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[a-z0-9-]{3,40}");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "yizhan/v1/stations/ST-001/state",          // upper case
            "yizhan/v1/stations/ab/state",              // too short
            "yizhan/v1/stations/a-very-long-station-id-that-is-over-forty-chars/state",
            "yizhan/v1/stations/+/state",               // wildcard
            "yizhan/v1/stations/#",
            "yizhan/v1/stations/st-001/+",
            "yizhan/v1/stations/st-001/#",
            "yizhan/v1/stations/st-001/unknown",        // unknown channel
            "yizhan/v1/stations/st-001/",
            "yizhan/v1/stations/st-001",
            "yizhan/v1/stations/st/001/state",          // slash inside the id
            "yizhan/v2/stations/st-001/state",
            "/yizhan/v1/stations/st-001/state",
            "yizhan/v1/stations/st-001/state/",
            "",
    })
    void parsesNothingFromTopicsOutsideTheContract(String topic) {
        assertThat(Topics.parse(topic)).as(topic).isEmpty();
    }

    @Test
    void parsesNothingFromNull() {
        assertThat(Topics.parse(null)).isEmpty();
    }

    @Test
    void allowsFiltersInsideTheStationsOwnRoot() {
        assertThat(Topics.isUnderRoot("st-001", "yizhan/v1/stations/st-001/cmd")).isTrue();
        assertThat(Topics.isUnderRoot("st-001", "yizhan/v1/stations/st-001/cmd/res")).isTrue();
        assertThat(Topics.isUnderRoot("st-001", "yizhan/v1/stations/st-001/#")).isTrue();
        assertThat(Topics.isUnderRoot("st-001", "yizhan/v1/stations/st-001/+")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "#",
            "+",
            "+/+/+/+/+",
            "yizhan/#",
            "yizhan/v1/stations/#",
            "yizhan/v1/stations/+/cmd",
            "yizhan/v1/stations/+/#",
            "yizhan/v1/stations/st-002/cmd",       // another station
            "yizhan/v1/stations/st-0011/cmd",      // same prefix, other station
            "yizhan/v1/stations/st-00/cmd",
            "yizhan/v1/stations/st-001",           // the root without its slash
            "yizhan/v1/stations/st-001/",          // the root itself
            "$share/g/yizhan/v1/stations/st-001/cmd",
            "/yizhan/v1/stations/st-001/cmd",
            "",
    })
    void refusesFiltersOutsideTheStationsOwnRoot(String filter) {
        assertThat(Topics.isUnderRoot("st-001", filter)).as(filter).isFalse();
    }

    @Test
    void refusesEverythingForAnInvalidStationIdOrNullFilter() {
        assertThat(Topics.isUnderRoot("st-001", null)).isFalse();
        assertThat(Topics.isUnderRoot("+", "yizhan/v1/stations/+/cmd")).isFalse();
        assertThat(Topics.isUnderRoot("#", "yizhan/v1/stations/#/cmd")).isFalse();
        assertThat(Topics.isUnderRoot(null, "yizhan/v1/stations/st-001/cmd")).isFalse();
    }

    @Test
    void channelsCarryTheContractsQosRetainAndLimits() {
        assertThat(Channel.STATE.qos()).isEqualTo(1);
        assertThat(Channel.STATE.retain()).isTrue();
        assertThat(Channel.HEARTBEAT.qos()).isZero();
        assertThat(Channel.TELEMETRY.retain()).isFalse();
        assertThat(Channel.EVENTS.maxBytes()).isEqualTo(256 * 1024);
        assertThat(Channel.HEARTBEAT.maxBytes()).isEqualTo(64 * 1024);
        assertThat(Channel.COMMAND.direction()).isEqualTo(Channel.Direction.DOWN);
        assertThat(Channel.CONFIG.retain()).isTrue();
        assertThat(Channel.COMMAND_RESULT.direction()).isEqualTo(Channel.Direction.UP);
        assertThat(Channel.ofSuffix("cmd/res")).contains(Channel.COMMAND_RESULT);
        assertThat(Channel.ofSuffix("nope")).isEmpty();
    }
}
