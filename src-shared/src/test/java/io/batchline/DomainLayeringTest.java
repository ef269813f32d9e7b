package io.batchline;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.batchline.report.ReportPages;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The domain stays free of its infrastructure: the AWS adapters and the Anthropic HTTP client implement its ports in
 * their own modules, the report pages are rendered in theirs (report-html, behind {@link ReportPages}), and settings
 * reach it as values ({@link io.batchline.pipeline.PipelineConfig}) parsed by the code that starts the process.
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

    @Test
    void theDomainHasNoPageRenderer() {
        noClasses().should().dependOnClassesThat().resideInAPackage("io.batchline.report.html..")
                .orShould().haveSimpleNameEndingWith("Html")
                .orShould().implement(ReportPages.class)
                .because("pages are rendered in batchline-report-html; the domain asks for them through ReportPages")
                .check(domain);
    }

    @Test
    void noStageUsesAnotherStagesStatics() {
        classes().that().resideInAPackage("io.batchline.pipeline").and().haveSimpleNameEndingWith("Stage")
                .should(useNoStaticMemberOfAnotherStage())
                .because("a rule two stages share belongs on the type it is about (the run store, the job spec,"
                        + " the failure reasons), not in one of the stages")
                .check(domain);
    }

    private static boolean isStage(JavaClass c) {
        return c.getPackageName().equals("io.batchline.pipeline") && c.getSimpleName().endsWith("Stage");
    }

    private static ArchCondition<JavaClass> useNoStaticMemberOfAnotherStage() {
        return new ArchCondition<>("use no static member of another stage") {
            @Override
            public void check(JavaClass stage, ConditionEvents events) {
                stage.getAccessesFromSelf().forEach(access -> {
                    // declared on the other stage itself; its nested request and result types are its interface
                    JavaClass owner = access.getTargetOwner();
                    if (!isStage(owner) || owner.equals(stage)) return;
                    boolean isStatic = access.getTarget().resolveMember()
                            .map(m -> m.getModifiers().contains(com.tngtech.archunit.core.domain.JavaModifier.STATIC))
                            .orElse(false);
                    if (isStatic && !access.getTarget().getName().equals("<init>")) {
                        events.add(SimpleConditionEvent.violated(access, access.getDescription()));
                    }
                });
            }
        };
    }

    @Test
    void theDomainWritesNoHtmlMarkup() {
        classes().should(containNoHtmlMarkup())
                .because("HTML is written in batchline-report-html, whatever the class that writes it is called")
                .check(domain);
    }

    /** Markup an HTML renderer cannot do without, looked for among the string constants of the class file. */
    private static final Pattern MARKUP = Pattern.compile("<(!DOCTYPE|html|body|svg|table|tr|td|div|section|span)[ >/]",
            Pattern.CASE_INSENSITIVE);

    private static ArchCondition<JavaClass> containNoHtmlMarkup() {
        return new ArchCondition<>("contain no HTML markup") {
            @Override
            public void check(JavaClass javaClass, ConditionEvents events) {
                String bytes = classFile(javaClass);
                Matcher m = MARKUP.matcher(bytes);
                if (m.find()) {
                    events.add(SimpleConditionEvent.violated(javaClass, javaClass.getName() + " contains the markup "
                            + m.group()));
                }
            }
        };
    }

    private static String classFile(JavaClass javaClass) {
        var source = javaClass.getSource().orElseThrow(() -> new IllegalStateException("no class file for "
                + javaClass.getName()));
        try (InputStream in = source.getUri().toURL().openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1); // constants are (modified) UTF-8
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
