/* The run-time configuration's closed sets: one name per value, shared by the CLI (which reads
 * them) and the report (which prints them), and what each choice of input means for its scale.
 * Each set is a switch without default, so -Wswitch (in -Wall) names a value left out. */
#include "nope/config.h"

#include <stddef.h>

/* Index k's name, or NULL past the last value: the values of each set run 0, 1, ... */
static const char *act_name(int k)
{
    switch ((nope_act)k) {
    case NOPE_ACT_RELU: return "relu";
    case NOPE_ACT_GELU: return "gelu";
    }
    return NULL;
}

static const char *input_name(int k)
{
    switch ((nope_input)k) {
    case NOPE_INPUT_GAUSSIAN: return "gaussian";
    case NOPE_INPUT_TOKENS: return "tokens";
    }
    return NULL;
}

/* The value whose name text is, or -1. */
static int find_name(const char *text, const char *(*name)(int))
{
    for (int k = 0; name(k) != NULL; k++) {
        const char *a = text, *b = name(k);
        while (*a && *a == *b) {
            a++;
            b++;
        }
        if (*a == *b)
            return k;
    }
    return -1;
}

const char *nope_act_name(nope_act act)
{
    return act_name((int)act);
}

const char *nope_input_name(nope_input input)
{
    return input_name((int)input);
}

nope_status nope_act_parse(const char *text, nope_act *out)
{
    int k = find_name(text, act_name);
    if (k < 0)
        return NOPE_ERR_ARG;
    *out = (nope_act)k;
    return NOPE_OK;
}

nope_status nope_input_parse(const char *text, nope_input *out)
{
    int k = find_name(text, input_name);
    if (k < 0)
        return NOPE_ERR_ARG;
    *out = (nope_input)k;
    return NOPE_OK;
}

uint32_t nope_config_input_scale_q(const nope_config *cfg)
{
    uint32_t scale_q = 0;
    switch (cfg->input) {
    case NOPE_INPUT_GAUSSIAN: scale_q = cfg->sigma_in_q; break;
    case NOPE_INPUT_TOKENS:
        scale_q = cfg->sigma_q; /* the embedding table's */
        break;
    }
    return scale_q;
}
