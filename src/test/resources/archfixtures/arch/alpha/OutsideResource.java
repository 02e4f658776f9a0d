package arch.alpha;

/** Breaks "resources live in http packages". */
@jakarta.ws.rs.Path("/outside")
public class OutsideResource {
}
