/* nope_kern_layernorm (fixed point) against the long double LayerNorm of the same integers,
 * within 2 LSB of Q.F where the inputs' standard deviation is at least 1e-4 (the domain of
 * tests/unit/test_fixed_kernels.c); everywhere: no saturation, and the output's mean is 0
 * within 2 LSB. Inputs: n in 1..1024 (the proven NOPE_MAX_D), activations of any magnitude,
 * epsilon 1e-12..1 (the CLI's range). */
#include "fuzz_fixed_kernels_util.h"

#include "nope/decimal.h"
#include "nope/experiment.h"
#include "nope/kernels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    size_t n = take_range(&in, 1, 1024);
    unsigned bits = (unsigned)take_range(&in, 1, 31);
    int32_t offset = take_act(&in, 31);
    nope_config cfg;
    nope_experiment_defaults(&cfg);
    /* epsilon: d 10^-k, d in 1..9, k in 1..12, or 1 (the CLI's range 1e-12..1) */
    size_t eps_digit = 1 + take_range(&in, 0, 8), eps_exp = take_range(&in, 0, 12);
    cfg.eps = nope_dec_make(eps_exp == 0 ? 1 : eps_digit, -(int32_t)eps_exp, false);
    const nope_kern_params *kp = nope_kern_params_init(&cfg);
    long double eps = strtold("1", NULL) * cfg.eps.digits;
    for (int32_t e = cfg.eps.exp10; e < 0; e++)
        eps /= 10;
    int32_t *x = malloc(n * sizeof *x), *h = malloc(n * sizeof *h);
    fuzz_cycle cyc = {in, in};
    for (size_t k = 0; k < n; k++) {
        fuzz_in *src = fuzz_cycle_next(&cyc, 3);
        int64_t v = (int64_t)offset + (src ? take_act(src, bits) : 0);
        x[k] = v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : (int32_t)v);
    }
    nope_kern_layernorm(h, x, n, kp);
    long double mean = 0, var = 0, out_mean = 0;
    for (size_t k = 0; k < n; k++)
        mean += x[k];
    mean /= (long double)n;
    for (size_t k = 0; k < n; k++)
        var += ((long double)x[k] - mean) * ((long double)x[k] - mean);
    var = var / (long double)n / (Q_ONE * Q_ONE);
    long double rstd = 1.0L / sqrtl(var + eps);
    bool in_domain = sqrtl(var) >= 1e-4L;
    FUZZ_CHECK(nope_fx_saturations() == 0, "layernorm n=%zu saturated", n);
    for (size_t k = 0; k < n; k++) {
        long double want = ((long double)x[k] - mean) * rstd;
        if (in_domain)
            FUZZ_CHECK(fabsl((long double)h[k] - want) <= 2.0L,
                       "layernorm n=%zu eps=%.3Lg sd=%.4Lg: h[%zu] = %d, want %.4Lf (x = %d): error %.3Lg LSB > 2", n,
                       eps, sqrtl(var), k, (int)h[k], want, (int)x[k], fabsl((long double)h[k] - want));
        out_mean += h[k];
    }
    out_mean /= (long double)n;
    if (in_domain)
        FUZZ_CHECK(fabsl(out_mean) <= 2.0L, "layernorm n=%zu: output mean %.3Lg LSB, want 0 within 2", n, out_mean);
    free(x);
    free(h);
    return 0;
}
