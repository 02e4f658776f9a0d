package io.twofa.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

/**
 * A minimal HTTP/1.1 client whose socket is bound to a chosen loopback source address, so that tests can be clients at
 * different addresses (the whole 127.0.0.0/8 is local on Linux). One request per connection ({@code Connection:
 * close}); on timeout the socket is closed, as a client that gives up does. Only 127.x.y.z is ever used.
 */
public final class FromAddress {

    private FromAddress() {
    }

    /** An answer: status (0 when the client gave up at its timeout), headers (lower-case names), body, time taken. */
    public record Reply(int status, Map<String, String> headers, String body, long millis) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public JsonPath json() {
            return JsonPath.from(body);
        }
    }

    public static Reply post(String from, String path, String json, Map<String, String> extraHeaders, Duration timeout) {
        return post(from, path, json, extraHeaders, timeout, () -> {
        });
    }

    /**
     * As above, but the request's last byte is sent only after {@code beforeLastByte} returns (e.g. a barrier that all
     * requests of a burst wait at): the server then gets the whole burst at the same moment.
     */
    public static Reply post(String from, String path, String json, Map<String, String> extraHeaders, Duration timeout,
            Runnable beforeLastByte) {
        if (!from.startsWith("127.")) {
            throw new IllegalArgumentException("tests use loopback source addresses only: " + from);
        }
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + RestAssured.port + "\r\n"
                + "Content-Type: application/json\r\nAccept: application/json\r\nConnection: close\r\nContent-Length: "
                + body.length + "\r\n");
        extraHeaders.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        long t0 = System.nanoTime();
        int timeoutMs = (int) timeout.toMillis();
        try (Socket socket = new Socket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), RestAssured.port), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, 0, body.length - 1);
            out.flush();
            beforeLastByte.run();
            out.write(body, body.length - 1, 1);
            out.flush();
            byte[] raw = readUntilClosed(socket.getInputStream(), t0, timeoutMs);
            if (raw == null) {
                return new Reply(0, Map.of(), "", (System.nanoTime() - t0) / 1_000_000);
            }
            return parse(raw, (System.nanoTime() - t0) / 1_000_000);
        } catch (SocketTimeoutException e) {
            return new Reply(0, Map.of(), "", (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException e) {
            throw new AssertionError("request from " + from + " failed: " + e, e);
        }
    }

    public static Reply post(String from, String path, String json) {
        return post(from, path, json, Map.of(), Duration.ofSeconds(30));
    }

    /** POST /api/v1/auth/login from {@code from}. */
    public static Reply login(String from, String login, String password) {
        return login(from, login, password, Map.of(), Duration.ofSeconds(30));
    }

    public static Reply login(String from, String login, String password, Map<String, String> headers, Duration timeout) {
        return login(from, login, password, headers, timeout, () -> {
        });
    }

    public static Reply login(String from, String login, String password, Map<String, String> headers, Duration timeout,
            Runnable beforeLastByte) {
        String json = "{\"login\":\"" + escape(login) + "\",\"password\":\"" + escape(password) + "\",\"client\":\"web\"}";
        return post(from, "/api/v1/auth/login", json, headers, timeout, beforeLastByte);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** The whole response (the server closes the connection after it), or null when the deadline passed first. */
    private static byte[] readUntilClosed(InputStream in, long t0, int timeoutMs) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (true) {
            int n = in.read(buffer);
            if (n < 0) {
                return all.toByteArray();
            }
            all.write(buffer, 0, n);
            if ((System.nanoTime() - t0) / 1_000_000 > timeoutMs) {
                return null;
            }
        }
    }

    private static Reply parse(byte[] raw, long millis) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new AssertionError("incomplete HTTP response: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] rest = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        byte[] body = "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? unchunk(rest) : rest;
        return new Reply(status, headers, new String(body, StandardCharsets.UTF_8), millis);
    }

    private static byte[] unchunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < chunked.length) {
            int lineEnd = indexOf(chunked, i);
            int size = Integer.parseInt(new String(chunked, i, lineEnd - i, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(chunked, lineEnd + 2, size);
            i = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] data, int from) {
        for (int i = from; i + 1 < data.length; i++) {
            if (data[i] == '\r' && data[i + 1] == '\n') {
                return i;
            }
        }
        throw new AssertionError("malformed chunked body");
    }
}
