package io.batchline;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The domain stays free of its infrastructure: the AWS adapters and the Anthropic HTTP client implement its ports in
 * their own modules, and settings reach it as values ({@link io.batchline.pipeline.PipelineConfig}) parsed by the
 * code that starts the process.
 */
class DomainLayeringTest {
    private static JavaClasses domain;

    @BeforeAll
    static void importTheDomain() {
        domain = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.batchline");
    }

    @Test
    void theDomainDoesNotUseTheAwsSdk() {
        noClasses().should().dependOnClassesThat().resideInAPackage("software.amazon..")
                .because("the AWS adapters live in batchline-aws-adapters, behind the domain's ports")
                .check(domain);
    }

    @Test
    void theDomainDoesNotSpeakHttp() {
        noClasses().should().dependOnClassesThat().resideInAPackage("java.net.http..")
                .orShould().dependOnClassesThat().belongToAnyOf(java.net.HttpURLConnection.class)
                .because("the provider's HTTP client lives in batchline-anthropic-adapter, behind BatchProvider")
                .check(domain);
    }

    @Test
    void theDomainDoesNotReadTheEnvironment() {
        noClasses().should().callMethod(System.class, "getenv")
                .orShould().callMethod(System.class, "getenv", String.class)
                .because("configuration arrives as values, parsed once by the process's wiring")
                .check(domain);
    }
}
