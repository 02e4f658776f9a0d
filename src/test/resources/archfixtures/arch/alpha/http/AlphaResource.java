package arch.alpha.http;

/** Breaks "resources open no transaction" and "resources hold no SQL". */
@jakarta.ws.rs.Path("/alpha")
public class AlphaResource {
    arch.alpha.AlphaRepository repository;

    @io.quarkus.hibernate.reactive.panache.common.WithTransaction
    public io.smallrye.mutiny.Uni<Void> change() {
        return io.quarkus.hibernate.reactive.panache.Panache.withTransaction(() -> io.smallrye.mutiny.Uni.createFrom().voidItem());
    }
}
