package arch.gamma;

public class GammaEntity {
}
