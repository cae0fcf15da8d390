package pishkhan.store;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one mongo-java-server process: {@code --port N --backend memory|h2 [--file PATH]}.
 *
 * <p>Binds to 127.0.0.1 only, prints {@code READY <port>} once listening, exits with status 2
 * when the port is taken, and shuts down cleanly on SIGTERM so the H2 backend flushes.
 */
public final class StoreLauncher {

    /** PyMongo 4.x refuses servers older than 4.0 wire features; advertise MongoDB 4.4. */
    private static final MongoVersion MONGO_4_4 = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
            return 9;
        }
    };

    private StoreLauncher() {}

    public static void main(String[] args) throws InterruptedException {
        int port = 27017;
        String backendName = "memory";
        String file = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--backend" -> backendName = args[i + 1];
                case "--file" -> file = args[i + 1];
                default -> usage("unknown option " + args[i]);
            }
        }
        MongoBackend backend = switch (backendName) {
            case "memory" -> new IndexedMemoryBackend();
            case "h2" -> {
                if (file == null) {
                    usage("--backend h2 needs --file PATH");
                }
                yield new H2Backend(file);
            }
            default -> {
                usage("unknown backend " + backendName);
                yield null;
            }
        };
        backend.version(MONGO_4_4);
        MongoServer server = new MongoServer(backend);
        try {
            server.bind("127.0.0.1", port);
        } catch (Exception e) { // netty rethrows BindException unchecked
            System.err.println("store: cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
            backend.close();
            System.exit(2);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            stopped.countDown();
        }, "store-shutdown"));
        System.out.println("READY " + server.getLocalAddress().getPort());
        System.out.flush();
        stopped.await();
    }

    private static void usage(String problem) {
        System.err.println("store: " + problem);
        System.err.println("usage: --port N --backend memory|h2 [--file PATH]");
        System.exit(64);
    }
}
