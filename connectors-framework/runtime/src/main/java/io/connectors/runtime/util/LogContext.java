package io.connectors.runtime.util;

import java.util.HashMap;
import java.util.Map;
import org.reactivestreams.Subscription;
import org.slf4j.MDC;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/**
 * The connector and job a log line was written for, as fields of the line ({@code connector.id}, {@code job.id},
 * {@code job.type} in {@code CONNECTORS_LOG_FORMAT=ecs}), and counts as fields of a single line ({@code sync.*}).
 *
 * <p>SLF4J's MDC is per thread, and a Reactor pipeline hops threads. {@link #forJob} puts the fields in the
 * pipeline's Reactor context; a hook installed by {@link #install()} sets them in the MDC of whatever thread
 * delivers a signal (subscription, element, error, completion) to an operator of that pipeline, and puts the
 * thread's previous values back right after, so nothing leaks into the next task of a pooled thread; a scheduler
 * hook gives a task the fields of the thread that scheduled it (code run at subscription, e.g. in
 * {@code Mono.fromCallable(...).subscribeOn(...)}, is reached by no signal). A signal
 * delivered on a thread whose MDC already holds the job's fields costs one map lookup.
 */
public final class LogContext {
    public static final String CONNECTOR_ID = "connector.id";
    public static final String JOB_ID = "job.id";
    public static final String JOB_TYPE = "job.type";
    /** Counts in a line's fields are named {@code sync.<count>}, e.g. {@code sync.indexed}. */
    public static final String COUNTS_PREFIX = "sync.";

    private static final String CONTEXT_KEY = LogContext.class.getName();
    private static volatile boolean installed;

    private LogContext() {
    }

    /**
     * Installs the hook that carries the fields across threads; idempotent. It applies to pipelines assembled after
     * it, so the process entry point calls it first, and {@link #forJob} again.
     */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        Hooks.onEachOperator(CONTEXT_KEY, Operators.lift((scannable, subscriber) -> {
            Object fields = subscriber.currentContext().getOrDefault(CONTEXT_KEY, null);
            return fields instanceof Fields f ? new MdcSubscriber<>(subscriber, f) : subscriber;
        }));
        // Work handed to a scheduler (subscribeOn, delays, publishOn) runs with the fields of the thread that handed
        // it over: this covers code run at subscription, such as a blocking call in Mono.fromCallable.
        Schedulers.onScheduleHook(CONTEXT_KEY, task -> {
            String connectorId = MDC.get(CONNECTOR_ID);
            if (connectorId == null) {
                return task;
            }
            Map<String, String> values = new HashMap<>();
            values.put(CONNECTOR_ID, connectorId);
            for (String key : new String[] {JOB_ID, JOB_TYPE}) {
                String v = MDC.get(key);
                if (v != null) {
                    values.put(key, v);
                }
            }
            Fields f = new Fields(values, null, null);
            return () -> {
                Map<String, String> previous = f.set();
                try {
                    task.run();
                } finally {
                    Fields.restore(previous);
                }
            };
        });
        installed = true;
    }

    /** {@code mono}, whose log lines carry the connector's and the job's fields. */
    public static <T> Mono<T> forJob(Mono<T> mono, String connectorId, String jobId, String jobType) {
        install();
        Map<String, String> fields = new HashMap<>();
        fields.put(CONNECTOR_ID, connectorId);
        if (jobId != null) {
            fields.put(JOB_ID, jobId);
        }
        if (jobType != null) {
            fields.put(JOB_TYPE, jobType);
        }
        Fields f = new Fields(Map.copyOf(fields), jobId == null ? connectorId : jobId, jobId == null ? CONNECTOR_ID : JOB_ID);
        // The subscription itself runs with the fields, so that work it schedules carries them.
        Mono<T> labelled = new Mono<>() {
            @Override
            public void subscribe(CoreSubscriber<? super T> actual) {
                Map<String, String> previous = f.set();
                try {
                    mono.subscribe(actual);
                } finally {
                    Fields.restore(previous);
                }
            }
        };
        return labelled.contextWrite(Context.of(CONTEXT_KEY, f));
    }

    /** Runs {@code log} with {@code counts} as fields {@code sync.<name>} of the lines it writes. */
    public static void withCounts(Map<String, Long> counts, Runnable log) {
        Map<String, String> fields = new HashMap<>();
        counts.forEach((k, v) -> fields.put(COUNTS_PREFIX + k, String.valueOf(v)));
        Map<String, String> previous = new Fields(fields, null, null).set();
        try {
            log.run();
        } finally {
            Fields.restore(previous);
        }
    }

    /** The fields of one job; {@code marker} is the value of {@code markerKey} that says they are already set. */
    private record Fields(Map<String, String> values, String marker, String markerKey) {
        boolean alreadySet() {
            return marker != null && marker.equals(MDC.get(markerKey));
        }

        /** Sets the fields; returns the thread's previous values of their keys (null values for absent ones). */
        Map<String, String> set() {
            Map<String, String> previous = new HashMap<>();
            values.forEach((k, v) -> {
                previous.put(k, MDC.get(k));
                MDC.put(k, v);
            });
            return previous;
        }

        static void restore(Map<String, String> previous) {
            previous.forEach((k, v) -> {
                if (v == null) {
                    MDC.remove(k);
                } else {
                    MDC.put(k, v);
                }
            });
        }
    }

    private static final class MdcSubscriber<T> implements CoreSubscriber<T> {
        private final CoreSubscriber<? super T> actual;
        private final Fields fields;

        MdcSubscriber(CoreSubscriber<? super T> actual, Fields fields) {
            this.actual = actual;
            this.fields = fields;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (fields.alreadySet()) {
                actual.onSubscribe(s);
                return;
            }
            Map<String, String> previous = fields.set();
            try {
                actual.onSubscribe(s);
            } finally {
                Fields.restore(previous);
            }
        }

        @Override
        public void onNext(T t) {
            if (fields.alreadySet()) {
                actual.onNext(t);
                return;
            }
            Map<String, String> previous = fields.set();
            try {
                actual.onNext(t);
            } finally {
                Fields.restore(previous);
            }
        }

        @Override
        public void onError(Throwable e) {
            if (fields.alreadySet()) {
                actual.onError(e);
                return;
            }
            Map<String, String> previous = fields.set();
            try {
                actual.onError(e);
            } finally {
                Fields.restore(previous);
            }
        }

        @Override
        public void onComplete() {
            if (fields.alreadySet()) {
                actual.onComplete();
                return;
            }
            Map<String, String> previous = fields.set();
            try {
                actual.onComplete();
            } finally {
                Fields.restore(previous);
            }
        }
    }
}
