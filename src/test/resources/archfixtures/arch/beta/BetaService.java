package arch.beta;

/** Breaks "a repository is used only by its own feature". */
public class BetaService {
    arch.alpha.AlphaRepository alphas;
}
