/* nope_kern_layernorm (float32) against the double LayerNorm of the same inputs:
 *   - everywhere: the worst-case bound of the float steps derived below (rounding of the mean,
 *     of the sum of squares, of sqrt and of the final product; it holds for plain sums, so for
 *     the kernel's compensated ones too), and the invariants that follow from it: output mean 0
 *     and mean square var / (var + eps), within the summed bounds;
 *   - in the domain of tests/unit/test_f32_kernels.c (n <= 1024, var >= 100 eps, |mean| <= 8
 *     std): its bound |h - h_ref| <= 2e-6 (1 + |h_ref|), mean(h) = 0 within 1e-5 and mean(h^2)
 *     = var / (var + eps) within 1e-4. (corpus/f32_layernorm/finding_alternating broke it with
 *     plain float sums: 7.8e-6 at n = 490; the kernel has used Kahan sums since.)
 * Inputs: n in 1..1100, values of 16 significant bits over a fuzzed range of exponents plus a
 * fuzzed offset, epsilon 1e-12..1 (the CLI's range). */
#include "fuzz_util.h"

#include "nope/decimal.h"
#include "nope/experiment.h"
#include "nope/kernels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    size_t n = take_range(&in, 1, 1100);
    int hi_exp = (int)take_range(&in, 0, 24) - 14, lo_exp = hi_exp - (int)take_range(&in, 0, 12);
    float offset = take_moderate_f32(&in, hi_exp - 4, hi_exp + 4);
    nope_config cfg;
    nope_experiment_defaults(&cfg);
    /* epsilon: d 10^-k, d in 1..9, k in 1..12, or 1 (the CLI's range 1e-12..1) */
    size_t eps_digit = 1 + take_range(&in, 0, 8), eps_exp = take_range(&in, 0, 12);
    cfg.eps = nope_dec_make(eps_exp == 0 ? 1 : eps_digit, -(int32_t)eps_exp, false);
    const nope_kern_params *kp = nope_kern_params_init(&cfg);
    double eps = nope_dec_to_double(&cfg.eps);
    float *x = malloc(n * sizeof *x), *h = malloc(n * sizeof *h);
    fuzz_cycle cyc = {in, in};
    for (size_t k = 0; k < n; k++) {
        fuzz_in *src = fuzz_cycle_next(&cyc, 3);
        x[k] = offset + (src ? take_moderate_f32(src, lo_exp, hi_exp) : 0.0f);
    }
    nope_kern_layernorm(h, x, n, kp);
    double mean = 0, var = 0, abs_sum = 0;
    for (size_t k = 0; k < n; k++) {
        mean += x[k];
        abs_sum += fabs(x[k]);
    }
    mean /= (double)n;
    for (size_t k = 0; k < n; k++)
        var += ((double)x[k] - mean) * ((double)x[k] - mean);
    var /= (double)n;
    double rstd = 1.0 / sqrt(var + eps);
    /* The float computation, step by step (u = 2^-24, g(k) = k u / (1 - k u)):
     *   mean' = mean + dm,  |dm| <= Em = g(n-1) sum|x| / n + u |mean|
     *   var'  = (var + dm^2)(1 + t) with |t| <= g(n+4); eps added with one rounding
     *   rstd' = rstd (1 + r), |r| <= (g(n+4) + Em^2 / (var + eps)) / 2 + 2u (sqrt, 1/x)
     *   h_i   = (x_i - mean') rstd' (1 + u): |h_i - h_ref| <= rstd (Em + u |x_i - mean|)
     *           + |h_ref| (|r| + u), and 1% for the second-order terms. */
    double u = 0x1p-24;
#define G(k) ((double)(k)*u / (1 - (double)(k)*u))
    double em = G(n - 1) * abs_sum / (double)n + u * fabs(mean);
    double r = (G(n + 4) + em * em / (var + eps)) / 2 + 2 * u;
    double out_mean = 0, out_sq = 0, tol_sum = 0, tol_sq = 0;
    for (size_t k = 0; k < n; k++) {
        double want = ((double)x[k] - mean) * rstd;
        double tol = 1.01 * (rstd * (em + u * fabs((double)x[k] - mean)) + fabs(want) * (r + u)) + 1e-30;
        FUZZ_CHECK(isfinite(h[k]), "layernorm n=%zu: h[%zu] = %a not finite", n, k, h[k]);
        FUZZ_CHECK(fabs(h[k] - want) <= tol,
                   "layernorm n=%zu eps=%g var=%g mean=%g: h[%zu] = %.9g, want %.9g (x = %a): error %.3g > %.3g", n,
                   eps, var, mean, k, h[k], want, x[k], fabs(h[k] - want), tol);
        out_mean += h[k];
        out_sq += (double)h[k] * h[k];
        tol_sum += tol;
        tol_sq += 2 * fabs(want) * tol + tol * tol;
    }
    out_mean /= (double)n;
    out_sq /= (double)n;
    if (n <= 1024 && var >= 100 * eps && fabs(mean) <= 8 * sqrt(var)) {
        for (size_t k = 0; k < n; k++) {
            double want = ((double)x[k] - mean) * rstd;
            FUZZ_CHECK(fabs(h[k] - want) <= 2e-6 * (1 + fabs(want)),
                       "layernorm n=%zu eps=%g var=%g mean=%g: h[%zu] = %.9g, want %.9g within 2e-6 (1 + |h|)", n, eps,
                       var, mean, k, h[k], want);
        }
        FUZZ_CHECK(fabs(out_mean) < 1e-5, "layernorm n=%zu: output mean %.9g, want 0 within 1e-5", n, out_mean);
        FUZZ_CHECK(fabs(out_sq - var / (var + eps)) < 1e-4, "layernorm n=%zu: mean square %.9g, want %.9g within 1e-4",
                   n, out_sq, var / (var + eps));
    }
    /* Invariants: mean 0 and mean square var / (var + eps), within the sums of the bounds. */
    FUZZ_CHECK(fabs(out_mean) <= tol_sum / (double)n + 1e-12,
               "layernorm n=%zu: mean of the output %.9g, want 0 within %.3g", n, out_mean, tol_sum / (double)n);
    FUZZ_CHECK(fabs(out_sq - var / (var + eps)) <= tol_sq / (double)n + 1e-12,
               "layernorm n=%zu: mean square %.9g, want %.9g within %.3g", n, out_sq, var / (var + eps),
               tol_sq / (double)n);
    free(x);
    free(h);
    return 0;
}
