package io.twofa.device.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The verification URI of device authorization ({@code /device}, with {@code ?user_code=} from
 * verification_uri_complete): the reference web page itself, whose device.js sees the path and leads through sign-in
 * to the approval. Served from the same file as {@code /}, so both are always the same page.
 */
@Path(DeviceResource.PAGE_PATH)
@PermitAll
public class DevicePageResource {

    private volatile String page;

    @GET
    @Produces(MediaType.TEXT_HTML + ";charset=utf-8")
    public String getDevicePage() {
        String html = page;
        if (html == null) {
            try (InputStream in = Thread.currentThread().getContextClassLoader()
                    .getResourceAsStream("META-INF/resources/index.html")) {
                if (in == null) {
                    throw new IllegalStateException("META-INF/resources/index.html is missing");
                }
                html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            page = html;
        }
        return html;
    }
}
