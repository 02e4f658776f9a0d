package arch.cycle.b;

public class B {
    arch.cycle.a.A a;
}
