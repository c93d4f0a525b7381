/* The peer of Z_n[x] multiplication: FLINT's nmod_poly_mul for n = 256 and n = 100277, random operands of lengths
 * 16, 64, …, 2^20 (leading coefficient 1), each timed by doubling the repetitions until a run takes 0.2 s.
 * One line per case: "n=N len=L  T s/mul".
 * Build: gcc -O2 benchmarks/peers/flint_mul.c -lflint -lgmp -o flint_mul   (Debian: libflint-dev) */
#include <flint/flint.h>
#include <flint/nmod_poly.h>
#include <stdio.h>
#include <time.h>

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void random_operand(nmod_poly_t p, slong length, ulong modulus, flint_rand_t state)
{
    for (slong i = 0; i < length - 1; i++) nmod_poly_set_coeff_ui(p, i, n_randint(state, modulus));
    nmod_poly_set_coeff_ui(p, length - 1, 1);
}

int main(void)
{
    const ulong moduli[] = {256, 100277};
    flint_rand_t state;
    flint_randinit(state);
    for (int m = 0; m < 2; m++)
        for (slong length = 16; length <= (1 << 20); length *= 4)
        {
            nmod_poly_t a, b, product;
            nmod_poly_init(a, moduli[m]);
            nmod_poly_init(b, moduli[m]);
            nmod_poly_init(product, moduli[m]);
            random_operand(a, length, moduli[m], state);
            random_operand(b, length, moduli[m], state);
            long repetitions = 1;
            double elapsed;
            for (;;)
            {
                double start = seconds();
                for (long r = 0; r < repetitions; r++) nmod_poly_mul(product, a, b);
                elapsed = seconds() - start;
                if (elapsed > 0.2) break;
                repetitions *= 2;
            }
            printf("n=%lu len=%ld  %.3e s/mul\n", moduli[m], (long)length, elapsed / repetitions);
            nmod_poly_clear(a);
            nmod_poly_clear(b);
            nmod_poly_clear(product);
        }
    flint_randclear(state);
    return 0;
}
