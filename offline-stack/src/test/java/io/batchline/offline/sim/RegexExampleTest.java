package io.batchline.offline.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RegexExampleTest {
    private static final List<String> PATTERNS = List.of(
            "^\\d{4}-\\d{2}-\\d{2}$",
            "^[A-Z]{3}-\\d{6}$",
            "^[A-Z0-9_]+$",
            "^[^,]+(,[^,]+)*$",
            "^[a-z]+(\\.[a-z]+)*@[a-z]+\\.(com|org)$",
            "^(?:\\+|00)[1-9]\\d{6,12}$",
            "^\\w+\\s\\w+$",
            "^\\D\\W\\S$",
            "^a.b.c$",
            "^https?://[a-z0-9.-]+\\.[a-z]{2,6}(/[\\w./-]*)?$",
            "^\\u00e9\\u4e2d[\\u0400-\\u04ff]{2}$",
            "^\\x41\\x42[\\x30-\\x39]$",
            "^colou?r$",
            "^(red|green|blue)(-(light|dark))?$",
            "^a{2,}b{0,3}c{3}$",
            "^x*?y+?z??$",
            "^[\\-\\/\\\\.]{3}$",
            "^\\$\\d+(\\.\\d\\d)?$",
            "[0-9]{3}",
            "abc",
            "^\\(\\d{3}\\) \\d{3}-\\d{4}$",
            "^#[0-9a-fA-F]{6}$",
            "^[^\\s@]+@[^\\s@]+$",
            "^(?<year>\\d{4})-(?<month>0[1-9]|1[0-2])$",
            "^(ab|cd)-\\1$",
            "^\\p{Lu}\\p{Ll}+$",
            "^v\\d+\\.\\d+\\.\\d+(-(alpha|beta|rc)\\.\\d+)?$",
            "^[A-Z][a-z]*( [A-Z][a-z]*){0,3}$",
            "^\\d+$|^none$",
            "^(?i)yes|no$",
            "^\\t?[a-c]\\n?$",
            "^[^abc][^0-9]$");

    @Test
    void examplesMatchTheirPatterns() {
        Random random = new Random(3);
        List<String> failures = new ArrayList<>();
        for (String pattern : PATTERNS) {
            Pattern compiled = Pattern.compile(pattern);
            for (int i = 0; i < 20; i++) {
                Optional<String> example = RegexExample.example(pattern, random::nextDouble, 0, Integer.MAX_VALUE);
                if (example.isEmpty() || !compiled.matcher(example.get()).find()) {
                    failures.add(pattern + " -> " + example);
                }
            }
        }
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
    }

    @Test
    void examplesMeetLengthBounds() {
        Random random = new Random(5);
        for (int i = 0; i < 20; i++) {
            String s = RegexExample.example("^[a-z]+$", random::nextDouble, 40, 45).orElseThrow();
            assertThat(s).hasSizeBetween(40, 45).matches("[a-z]+");
            String padded = RegexExample.example("[A-Z]{2}\\d{2}", random::nextDouble, 8, 10).orElseThrow();
            assertThat(padded.length()).isBetween(8, 10);
            assertThat(Pattern.compile("[A-Z]{2}\\d{2}").matcher(padded).find()).isTrue();
            String shortOne = RegexExample.example("^x{1,50}$", random::nextDouble, 0, 2).orElseThrow();
            assertThat(shortOne).hasSizeBetween(1, 2);
        }
    }

    @Test
    void patternsBeyondTheGeneratorEndWithoutAnExampleOrWithAChecked() {
        Random random = new Random(7);
        for (String pattern : List.of("^(?=.*\\d)(?=.*[a-z])[a-z\\d]{8}$", "^(?!abc)[a-c]{3}$", "^a{3}$", "[unclosed",
                "^[\\w&&[^_]]+$")) {
            Optional<String> example = RegexExample.example(pattern, random::nextDouble, 0, 5);
            example.ifPresent(s -> assertThat(Pattern.compile(pattern).matcher(s).find()).isTrue());
        }
        assertThat(RegexExample.example("^a{3}$", random::nextDouble, 4, 10)).isEmpty(); // bounds it cannot meet
    }
}
