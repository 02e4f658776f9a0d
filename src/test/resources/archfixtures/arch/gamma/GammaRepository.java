package arch.gamma;

/** A Panache repository whose HQL is allowed here. */
public class GammaRepository implements io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase<GammaEntity, Long> {
}
