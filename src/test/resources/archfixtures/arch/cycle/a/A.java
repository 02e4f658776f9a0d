package arch.cycle.a;

/** Breaks "no cycle": a depends on b, b on a. */
public class A {
    arch.cycle.b.B b;
}
