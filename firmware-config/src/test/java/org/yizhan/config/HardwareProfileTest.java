package org.yizhan.config;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HardwareProfileTest {

    private static List<Integer> allPins(HardwareProfile p) {
        List<Integer> pins = new ArrayList<>(List.of(p.doorRelayPin(), p.doorContactPin(), p.exitButtonPin(),
                p.beamOuterPin(), p.beamInnerPin(), p.pirPin(), p.smokePin()));
        pins.addAll(p.chargerRelayPins());
        return pins;
    }

    @Test
    void everyBuiltInProfileLoadsUnderItsOwnName() throws ConfigException {
        assertThat(HardwareProfile.BUILT_IN).containsExactly("pi4b-standard", "pi5-standard", "simulated");
        for (String name : HardwareProfile.BUILT_IN) {
            HardwareProfile p = HardwareProfile.load(name);
            assertThat(p.name()).isEqualTo(name);
            assertThat(p.board()).as(name).isNotBlank();
            assertThat(p.description()).as(name).isNotBlank();
            assertThat(p.chargerRelayPins()).as(name).isNotEmpty();
        }
    }

    @Test
    void everyBuiltInProfileUsesOnlyPinsItsBoardHas() throws ConfigException {
        for (String name : HardwareProfile.BUILT_IN) {
            HardwareProfile p = HardwareProfile.load(name);
            assertThat(p.gpioPins()).as(name).allSatisfy(pin -> assertThat(pin).isBetween(0, 63));
            for (int pin : allPins(p)) {
                assertThat(p.hasPin(pin)).as("%s uses pin %d", name, pin).isTrue();
            }
        }
    }

    @Test
    void noBuiltInProfileWiresTwoPartsToOnePin() throws ConfigException {
        for (String name : HardwareProfile.BUILT_IN) {
            HardwareProfile p = HardwareProfile.load(name);
            List<Integer> pins = allPins(p);
            Set<Integer> distinct = new HashSet<>(pins);
            assertThat(pins).as("%s wires each pin once", name).hasSize(distinct.size()).doesNotHaveDuplicates();
        }
    }

    @Test
    void realBoardsKeepTheI2cPinsFreeForThePowerMonitors() throws ConfigException {
        for (String name : List.of("pi4b-standard", "pi5-standard")) {
            assertThat(allPins(HardwareProfile.load(name))).as(name).doesNotContain(2, 3);
        }
    }

    @Test
    void refusesUnknownAndNullProfileNames() {
        for (String bad : new String[]{null, "", "PI4B-STANDARD", "pi3", "profiles/pi4b-standard"}) {
            ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
                    () -> HardwareProfile.load(bad));
            assertThat(e).as(String.valueOf(bad)).isNotNull();
            assertThat(e.problems()).singleElement().asString().startsWith("profile: unknown hardware profile");
        }
    }
}
