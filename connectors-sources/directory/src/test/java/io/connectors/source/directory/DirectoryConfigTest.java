package io.connectors.source.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.FieldError;
import io.connectors.spi.config.SourceConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DirectoryConfigTest {

    @Test
    void defaultsApply() {
        DirectoryConfig config = DirectoryConfig.from(SourceConfig.from(DirectoryConfig.FIELDS, Map.of("path", "/data")));

        assertThat(config.root()).isEqualTo(Path.of("/data"));
        assertThat(config.maxContentSize()).isEqualTo(1024 * 1024);
        assertThat(config.followSymlinks()).isFalse();
        assertThat(config.filter().includesFile("any/file")).isTrue();
        assertThat(config.filter().excludesDirectory("any")).isFalse();
    }

    @Test
    void relativePathIsResolvedAgainstTheWorkingDirectory() {
        DirectoryConfig config = DirectoryConfig.from(SourceConfig.from(DirectoryConfig.FIELDS, Map.of("path", "data")));

        assertThat(config.root()).isEqualTo(Path.of("data").toAbsolutePath());
    }

    @Test
    void fieldsAreDeclaredInOrderWithDescriptions() {
        assertThat(DirectoryConfig.FIELDS).extracting(ConfigField::name).containsExactly(
                "path", "include", "exclude", "max_content_size", "follow_symlinks", "extract_text");
        assertThat(DirectoryConfig.FIELDS).extracting(ConfigField::order).isSorted();
        assertThat(DirectoryConfig.FIELDS).allSatisfy(f -> assertThat(f.description()).isNotBlank());
    }

    @Test
    void missingPathIsNamed() {
        assertThat(errors(Map.of())).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("path");
            assertThat(e.message()).startsWith("is required (The directory to sync");
        });
    }

    @Test
    void invalidPathIsNamed() {
        assertThat(errors(Map.of("path", "bad\0path")))
                .containsExactly(new FieldError("path", "is not a valid path: Nul character not allowed"));
    }

    @Test
    void emptyIncludeIsRefused() {
        assertThat(errors(Map.of("path", "/data", "include", List.of())))
                .containsExactly(new FieldError("include", "must not be empty"));
    }

    @Test
    void blankAbsoluteAndMalformedPatternsAreRefusedWithTheirReason() {
        assertThat(errors(Map.of("path", "/data", "exclude", List.of("ok/**", " "))))
                .containsExactly(new FieldError("exclude", "patterns must not be blank"));
        assertThat(errors(Map.of("path", "/data", "exclude", List.of("/var/log/**"))))
                .containsExactly(new FieldError("exclude", "pattern '/var/log/**' starts with '/', but patterns are"
                        + " matched against paths relative to `path`: remove the leading '/'"));
        assertThat(errors(Map.of("path", "/data", "include", List.of("{a,b"))))
                .singleElement().satisfies(e -> {
                    assertThat(e.field()).isEqualTo("include");
                    assertThat(e.message()).startsWith("pattern '{a,b' is not a valid glob: ");
                });
    }

    @Test
    void maxContentSizeIsBounded() {
        assertThat(errors(Map.of("path", "/data", "max_content_size", "101mb")))
                .containsExactly(new FieldError("max_content_size", "must be between 0 and 104857600, got 105906176"));
        assertThat(errors(Map.of("path", "/data", "max_content_size", "lots")))
                .containsExactly(new FieldError("max_content_size",
                        "expected a size such as 512b, 64kb, 1.5mb or 1gb (binary multiples, any case; kib, mib and gib too),"
                                + " got 'lots'"));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThat(errors(Map.of("include", List.of(), "follow_symlinks", "yes")))
                .extracting(FieldError::field).containsExactlyInAnyOrder("path", "include", "follow_symlinks");
    }

    private static List<FieldError> errors(Map<String, Object> raw) {
        return catchThrowableOfType(ConfigValidationException.class,
                () -> SourceConfig.from(DirectoryConfig.FIELDS, raw)).errors();
    }
}
