/* The configuration's closed sets: every value has one name that parses back to it, nothing
 * else parses, and the input's scale follows the input. */
#include "test_util.h"

#include "nope/config.h"

static void test_act_names_round_trip(void **state)
{
    (void)state;
    assert_string_equal(nope_act_name(NOPE_ACT_RELU), "relu");
    assert_string_equal(nope_act_name(NOPE_ACT_GELU), "gelu");
    int n = 0;
    for (int k = 0; nope_act_name((nope_act)k) != NULL; k++, n++) {
        nope_act back = (nope_act)-1;
        assert_int_equal(nope_act_parse(nope_act_name((nope_act)k), &back), NOPE_OK);
        assert_int_equal(back, k);
    }
    assert_int_equal(n, 2);
    const char *bad[] = {"", "RELU", "rel", "relux", "gelu ", " gelu", "tokens"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        nope_act out = NOPE_ACT_GELU;
        assert_int_equal(nope_act_parse(bad[k], &out), NOPE_ERR_ARG);
        assert_int_equal(out, NOPE_ACT_GELU); /* untouched */
    }
}

static void test_input_names_round_trip(void **state)
{
    (void)state;
    assert_string_equal(nope_input_name(NOPE_INPUT_GAUSSIAN), "gaussian");
    assert_string_equal(nope_input_name(NOPE_INPUT_TOKENS), "tokens");
    int n = 0;
    for (int k = 0; nope_input_name((nope_input)k) != NULL; k++, n++) {
        nope_input back = (nope_input)-1;
        assert_int_equal(nope_input_parse(nope_input_name((nope_input)k), &back), NOPE_OK);
        assert_int_equal(back, k);
    }
    assert_int_equal(n, 2);
    const char *bad[] = {"", "token", "Tokens", "gaussian2", "relu"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        nope_input out = NOPE_INPUT_TOKENS;
        assert_int_equal(nope_input_parse(bad[k], &out), NOPE_ERR_ARG);
        assert_int_equal(out, NOPE_INPUT_TOKENS);
    }
}

static void test_input_scale(void **state)
{
    (void)state;
    nope_config cfg = {0};
    cfg.sigma_q = 111;
    cfg.sigma_in_q = 222;
    cfg.input = NOPE_INPUT_GAUSSIAN;
    assert_int_equal(nope_config_input_scale_q(&cfg), 222);
    cfg.input = NOPE_INPUT_TOKENS;
    assert_int_equal(nope_config_input_scale_q(&cfg), 111);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_act_names_round_trip),
        cmocka_unit_test(test_input_names_round_trip),
        cmocka_unit_test(test_input_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
