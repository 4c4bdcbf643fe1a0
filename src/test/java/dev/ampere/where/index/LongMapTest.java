package dev.ampere.where.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class LongMapTest {
    @Test
    void randomPutsAndRemovesAgreeWithHashMap() {
        Random rnd = new Random(3);
        LongMap<String> map = new LongMap<>();
        Map<Long, String> reference = new HashMap<>();
        for (int op = 0; op < 200_000; op++) {
            // Few distinct keys, clustered, so that probe runs collide and removal has to shift entries back.
            long key = rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextInt(op < 100_000 ? 3000 : 40) * 1024L;
            if (rnd.nextInt(3) == 0) {
                map.remove(key);
                reference.remove(key);
            } else {
                map.put(key, "v" + op);
                reference.put(key, "v" + op);
            }
            if (op % 997 == 0) {
                for (Map.Entry<Long, String> e : reference.entrySet()) assertEquals(e.getValue(), map.get(e.getKey()));
            }
            assertEquals(reference.get(key), map.get(key));
            assertEquals(reference.size(), map.size());
        }
        for (Long k : reference.keySet().toArray(new Long[0])) map.remove(k);
        assertEquals(0, map.size());
    }
}
