package io.batchline.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TemplateTest {

    @Test
    void listsFieldsAndKeepsSingleBracesLiteral() {
        Template t = Template.parse("JSON like {\"a\": 1} and {{ subject }} then {{body}} and {{subject}}");
        assertThat(t.fields()).containsExactly("subject", "body", "subject");
    }

    @Test
    void wellFormedTemplatesHaveNoProblems() {
        assertThat(Template.problems("no placeholders at all")).isEmpty();
        assertThat(Template.problems("{{a_b-c.d.0}}")).isEmpty();
    }

    @Test
    void problemsNameTheirPosition() {
        assertThat(Template.problems("Hi {{name} there")).containsExactly("unclosed placeholder at column 4");
        assertThat(Template.problems("{{a {{b}}")).containsExactly("unclosed placeholder at column 1");
        assertThat(Template.problems("x\ny {{1abc}}")).containsExactly(
                "invalid placeholder '{{1abc}}' at line 2, column 3: expected a field name like {{subject}} or {{customer.name}}");
        assertThatThrownBy(() -> Template.parse("{{}}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("empty placeholder '{{}}' at column 1");
    }
}
