package arch.alpha;

/** With BetaService (beta uses alpha), breaks "no cycle between features": alpha uses beta. */
public class AlphaNotifier {
    arch.beta.BetaService beta;
}
