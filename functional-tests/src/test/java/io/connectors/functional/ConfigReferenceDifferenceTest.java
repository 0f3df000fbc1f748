package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The message {@link ConfigReferenceIT} fails with names the first line that differs. */
class ConfigReferenceDifferenceTest {
    @Test
    void namesTheFirstDifferingLine() {
        assertThat(ConfigReferenceIT.firstDifference("a\nb\nc\n", "a\nB\nc\n"))
                .isEqualTo("First difference at line 2:\n  docs/CONFIG.md: b\n  generated:      B");
        assertThat(ConfigReferenceIT.firstDifference("a\n", "a\nnew\n"))
                .isEqualTo("First difference at line 2:\n  docs/CONFIG.md: (end of file)\n  generated:      new");
        assertThat(ConfigReferenceIT.firstDifference("", "# Title\n")).contains("line 1").contains("(end of file)");
        assertThat(ConfigReferenceIT.firstDifference("a\r\n", "a\n")).contains("line endings");
    }
}
