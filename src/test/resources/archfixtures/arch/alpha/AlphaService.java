package arch.alpha;

/** Breaks "SQL only in repositories" (and "wire records only in http" by its answer record). */
public class AlphaService {
    io.vertx.mutiny.sqlclient.Pool pool;

    public void load() {
        pool.preparedQuery("select 1");
    }

    public record AlphaResponse(String value) {
    }

    @com.fasterxml.jackson.annotation.JsonProperty("x")
    String jsonField;
}
