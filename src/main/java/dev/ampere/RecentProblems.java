package dev.ampere;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.ampere.http.StatusSources;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last {@link #KEPT} warnings and errors logged in this process, for the status page's "recent errors": a
 * logback appender on the root logger, attached by {@link Ampere} while it runs. Stack lines name their stack
 * ({@code [single_stack] lost the ...}).
 *
 * <p>Thread-safe: logback calls {@link #append} under the appender's lock; readers copy under the same monitor.
 */
final class RecentProblems extends AppenderBase<ILoggingEvent> {
    static final int KEPT = 20;

    private final ArrayDeque<StatusSources.Problem> kept = new ArrayDeque<>();

    /** Attaches a new one to the root logger. */
    static RecentProblems attach() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        RecentProblems appender = new RecentProblems();
        appender.setContext(context);
        appender.setName("recent-problems-" + System.identityHashCode(appender));
        appender.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
        return appender;
    }

    void detach() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(this);
        stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (!event.getLevel().isGreaterOrEqual(Level.WARN)) return;
        String message = event.getFormattedMessage();
        if (event.getThrowableProxy() != null) message += " (" + event.getThrowableProxy().getClassName() + ")";
        StatusSources.Problem p = new StatusSources.Problem(Instant.ofEpochMilli(event.getTimeStamp()),
                event.getLevel().toString(), message);
        synchronized (kept) {
            if (kept.size() == KEPT) kept.removeFirst();
            kept.addLast(p);
        }
    }

    /** The kept problems, newest first. */
    List<StatusSources.Problem> newestFirst() {
        synchronized (kept) {
            return new ArrayList<>(kept).reversed();
        }
    }
}
