package arch.alpha;

/** A repository of feature alpha (its SQL is allowed here). */
public class AlphaRepository {
    io.vertx.mutiny.sqlclient.Pool pool;

    public void load() {
        pool.preparedQuery("select 1");
    }
}
