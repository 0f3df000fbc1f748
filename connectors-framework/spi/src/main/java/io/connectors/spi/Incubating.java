package io.connectors.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an SPI type (or method) the runtime does not consume yet: it is declared so a source can be written against it, but no
 * runtime behaviour stands behind it, and it may change incompatibly (or go) when its consumer is built. Implementing
 * it today has no effect. The javadoc of each such type says which issue or plan will consume it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Incubating {
}
