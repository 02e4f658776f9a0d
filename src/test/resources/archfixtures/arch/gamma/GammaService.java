package arch.gamma;

/** Breaks "HQL only in repositories": HQL text written in a service. */
public class GammaService {
    GammaRepository gammas;

    public Object stale() {
        return gammas.find("status = ?1", "stale");
    }
}
