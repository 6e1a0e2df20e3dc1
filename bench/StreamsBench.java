import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The change feed under bench/streams (JDK only, run as a source file): opens one idle
 * GET /api/events per token (user), reports when all are subscribed, waits for a line on stdin (the
 * script measures the instance's memory meanwhile), then runs WRITERS closed loops, each as one of
 * the users: POST a conversation, wait for its conversation.created event on that user's feed,
 * repeat, for SECONDS. Prints the write-to-subscriber delays (send of the POST to arrival of the
 * event) as "delay p50=… p95=… p99=… max=… writes=… rate=…".
 *
 * Usage: java StreamsBench.java BASE_URL TOKENS_FILE SUBSCRIBERS WRITERS SECONDS
 */
public class StreamsBench {

    public static void main(String[] args) throws Exception {
        String base = args[0];
        List<String> tokens = Files.readAllLines(Path.of(args[1]));
        int subscribers = Integer.parseInt(args[2]);
        int writers = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()).build();

        List<BlockingQueue<Long>> created = new ArrayList<>();
        CountDownLatch subscribed = new CountDownLatch(subscribers);
        AtomicInteger refused = new AtomicInteger();
        long openStart = System.nanoTime();
        for (int i = 0; i < subscribers; i++) {
            BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
            created.add(arrivals);
            String token = tokens.get(i);
            Thread.ofVirtual().start(() -> {
                try {
                    HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/events"))
                            .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    if (response.statusCode() != 200) {
                        refused.incrementAndGet();
                        subscribed.countDown();
                        return;
                    }
                    BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
                    String line;
                    while ((line = reader.readLine()) != null) {
                        if (line.equals(": subscribed") || line.equals(":subscribed")) {
                            subscribed.countDown();
                        } else if (line.startsWith("event:") && line.contains("conversation.created")) {
                            arrivals.add(System.nanoTime());
                        }
                    }
                } catch (Exception e) {
                    refused.incrementAndGet();
                    subscribed.countDown();
                }
            });
        }
        if (!subscribed.await(600, TimeUnit.SECONDS)) {
            System.out.println("error not all subscribed: " + subscribed.getCount() + " left");
            System.exit(1);
        }
        System.out.printf("subscribed %d refused %d in %d ms%n", subscribers - refused.get(), refused.get(),
                (System.nanoTime() - openStart) / 1_000_000);
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();

        List<Long> delays = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger lost = new AtomicInteger();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Thread> loops = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int user = w;
            loops.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    try {
                        created.get(user).clear();
                        long sent = System.nanoTime();
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/conversations"))
                                .header("Authorization", "Bearer " + tokens.get(user))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"bench\"}")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 201) {
                            lost.incrementAndGet();
                            continue;
                        }
                        Long arrived = created.get(user).poll(10, TimeUnit.SECONDS);
                        if (arrived == null) {
                            lost.incrementAndGet();
                        } else {
                            delays.add(arrived - sent);
                        }
                    } catch (Exception e) {
                        lost.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread loop : loops) {
            loop.join();
        }
        List<Long> sorted = new ArrayList<>(delays);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            System.out.println("error no delays measured; lost " + lost.get());
            System.exit(1);
        }
        System.out.printf("delay p50=%.1f p95=%.1f p99=%.1f max=%.1f writes=%d lost=%d rate=%.1f%n",
                ms(sorted, 0.50), ms(sorted, 0.95), ms(sorted, 0.99), sorted.get(sorted.size() - 1) / 1e6,
                sorted.size(), lost.get(), sorted.size() / (double) seconds);
        System.exit(0);
    }

    private static double ms(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)) / 1e6;
    }
}
