package io.connectors.runtime.daemon;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * A Quartz-syntax cron expression (cron-utils), evaluated in UTC so that every daemon sharing a cluster computes
 * the same due times, whatever its machine's time zone.
 */
final class CronSchedule {
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

    private final String expression;
    private final ExecutionTime time;

    CronSchedule(String expression) {
        this.expression = expression;
        this.time = ExecutionTime.forCron(PARSER.parse(expression));
    }

    /** The first due time strictly after {@code after}. */
    Optional<Instant> next(Instant after) {
        return time.nextExecution(ZonedDateTime.ofInstant(after, ZoneOffset.UTC)).map(ZonedDateTime::toInstant);
    }

    @Override
    public String toString() {
        return expression;
    }
}
