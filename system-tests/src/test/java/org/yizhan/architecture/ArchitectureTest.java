package org.yizhan.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The rules the folder names promise (docs/architecture.md): the hub never reaches into the agent, the shared
 * contracts reach into neither, and within the hub and within the agent no feature package imports one that
 * imports it back. Checked on the compiled production classes of every module.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importProductionClasses() {
        // the modules' classes come as folders (test, -am builds) or as their jars (a full verify): take both
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.yizhan");
    }

    @Test
    void hubNeverDependsOnTheAgentNorOnBoardHardware() {
        noClasses().that().resideInAPackage("org.yizhan.hub..")
                .should().dependOnClassesThat().resideInAnyPackage("org.yizhan.agent..", "org.yizhan.demo..", "com.pi4j..")
                .because("the hub is deployed without the agent; what both need lives in protocol and access-contract")
                .check(classes);
    }

    @Test
    void agentNeverDependsOnTheHub() {
        noClasses().that().resideInAPackage("org.yizhan.agent..")
                .should().dependOnClassesThat().resideInAnyPackage("org.yizhan.hub..", "org.yizhan.demo..")
                .check(classes);
    }

    @Test
    void sharedContractsDependOnNeitherSide() {
        noClasses().that().resideInAnyPackage("org.yizhan.protocol..", "org.yizhan.access..", "org.yizhan.config..")
                .should().dependOnClassesThat().resideInAnyPackage("org.yizhan.hub..", "org.yizhan.agent..",
                        "org.yizhan.demo..")
                .check(classes);
    }

    @Test
    void hubFeaturePackagesHaveNoCycles() {
        slices().matching("org.yizhan.hub.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void agentFeaturePackagesHaveNoCycles() {
        slices().matching("org.yizhan.agent.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void hubHttpIsAToolkitThatKnowsNoFeature() {
        noClasses().that().resideInAPackage("org.yizhan.hub.http..")
                .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("org.yizhan.hub..")
                        .and(DescribedPredicate.not(JavaClass.Predicates.resideInAnyPackage("org.yizhan.hub.http..",
                                "org.yizhan.hub.metrics.."))))
                .because("http/ holds bodies, errors, the auth handler and rate limits (counted in metrics); "
                        + "features own their routes")
                .check(classes);
    }
}
