package dev.ampere.process;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

class RegistryTest {
    private static final Duration T = Duration.ofSeconds(10);

    private static ProcessRef idle(String name) {
        return Processes.spawn(name, ctx -> {
            while (true) {
                if (ctx.receive() instanceof Call c) c.reply(ctx.self());
            }
        });
    }

    @Test
    void namesAreUniqueWhileTheHolderLives() throws Exception {
        ProcessRegistry registry = new ProcessRegistry();
        ProcessRef first = idle("first");
        ProcessRef second = idle("second");
        registry.register("name", first);
        assertThrows(ProcessRegistry.AlreadyRegistered.class, () -> registry.register("name", second));
        assertSame(first, registry.whereis("name").orElseThrow());

        first.stop(T);
        assertTrue(registry.whereis("name").isEmpty());
        registry.register("name", second);
        assertSame(second, registry.whereis("name").orElseThrow());
        second.stop(T);
        assertEquals(0, registry.size());
    }

    @Test
    void duplicateKeysReachEverySubscriberUntilTheyLeave() throws Exception {
        DuplicateRegistry<String, String> registry = new DuplicateRegistry<>();
        List<String> a = new CopyOnWriteArrayList<>();
        List<String> b = new CopyOnWriteArrayList<>();
        var subA = registry.subscribe("handle-1", a::add);
        registry.subscribe("handle-1", b::add);
        registry.subscribe("handle-2", b::add);

        assertEquals(2, registry.dispatch("handle-1", "x"));
        subA.close();
        assertEquals(1, registry.dispatch("handle-1", "y"));
        assertEquals(0, registry.dispatch("handle-3", "z"));
        assertEquals(List.of("x"), a);
        assertEquals(List.of("x", "y"), b);
    }

    @Test
    void processSubscriptionsEndWhenTheProcessExits() throws Exception {
        DuplicateRegistry<String, Object> registry = new DuplicateRegistry<>();
        ProcessRef p = Processes.spawn("sub", ctx -> {
            Object first = ctx.receive();
            ((Call) ctx.receive()).reply(first);
        });
        registry.subscribe("k", p);
        assertEquals(1, registry.dispatch("k", "event"));
        assertEquals("event", p.call("what", T));
        p.awaitExit(T);
        assertEquals(0, registry.count("k"));
    }
}
