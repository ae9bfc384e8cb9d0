#include "nope/partial.h"

#include "nope/cli.h"
#include "nope/experiment.h"
#include "nope/format.h"
#include "nope/num.h"
#include "nope/report.h"
#include "nope/stats.h"

#define MAGIC "# nope-variance partial v"
#define VERSION "1"
#define CHECKSUM_KEY "# checksum fnv1a64="
#define TABLE_HEADER "layer,pos,attn,hid"
/* The longest configuration line: 13 keys with values of at most 25 bytes each. */
#define CONFIG_MAX 512

_Static_assert(NOPE_STAT_COUNT == 2, "the partial's table has one column per statistic: attn, hid");

/* ---- Writing ---- */

void nope_partial_write(const nope_config *cfg, const nope_sink *sink)
{
    nope_writer w;
    nope_writer_init(&w, sink);
    uint32_t first, end;
    nope_experiment_trials(cfg, &first, &end);
    nope_report_head_put(&w, MAGIC VERSION, cfg);
    nope_writer_put(&w, "# trials from=");
    nope_writer_put_u64(&w, first);
    nope_writer_put(&w, " to=");
    nope_writer_put_u64(&w, end);
    nope_writer_end_line(&w);
    nope_writer_put(&w, "# counts");
    for (unsigned k = 0; k < NOPE_NUM_COUNTERS; k++) {
        nope_writer_put(&w, " ");
        nope_writer_put(&w, nope_num_counter_name(k));
        nope_writer_put(&w, "=");
        nope_writer_put_u64(&w, nope_num_counter(k));
    }
    nope_writer_end_line(&w);
    nope_writer_put(&w, TABLE_HEADER);
    nope_writer_end_line(&w);
    char sums[NOPE_MOMENTS_TEXT_MAX];
    for (uint32_t l = 0; l < cfg->layers; l++)
        for (uint32_t p = 0; p < cfg->seq; p++) {
            nope_writer_put_u64(&w, l + 1);
            nope_writer_put(&w, ",");
            nope_writer_put_u64(&w, p + 1);
            for (int s = 0; s < NOPE_STAT_COUNT; s++) {
                nope_moments_text(sums, nope_stats_get((nope_stat)s, l, p));
                nope_writer_put(&w, ",");
                nope_writer_put(&w, sums);
            }
            nope_writer_end_line(&w);
        }
    nope_writer_checksum_line(&w);
}

/* ---- Reading: lines, numbers, messages ---- */

typedef struct {
    const char *text;
    size_t len, at;
} line_reader;

/* The next line without its '\n' (every line has one). */
static bool next_line(line_reader *r, const char **line, size_t *n)
{
    size_t end = r->at;
    while (end < r->len && r->text[end] != '\n')
        end++;
    if (end >= r->len)
        return false;
    *line = r->text + r->at;
    *n = end - r->at;
    r->at = end + 1;
    return true;
}

static bool starts(const char *line, size_t n, const char *prefix, size_t *rest)
{
    size_t k = 0;
    for (; prefix[k]; k++)
        if (k >= n || line[k] != prefix[k])
            return false;
    *rest = k;
    return true;
}

static bool equal(const char *line, size_t n, const char *text)
{
    size_t rest;
    return starts(line, n, text, &rest) && rest == n;
}

/* A whole number line[*at..) up to the byte stop, or to the line's end for stop '\0' (so a NUL
 * in the line is not a digit, and refused); at most max, no leading zeros, the one way a run
 * writes it; *at moved past the stop. */
static bool read_whole(const char *line, size_t n, size_t *at, char stop, uint64_t max, uint64_t *out)
{
    bool to_end = stop == '\0';
    size_t i = *at;
    uint64_t v = 0;
    for (; i < n && (to_end || line[i] != stop); i++) {
        unsigned digit = (unsigned)(unsigned char)line[i] - '0';
        if (digit > 9 || (i > *at && line[*at] == '0') || v > (max - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    if (i == *at || (!to_end && i >= n))
        return false;
    *out = v;
    *at = to_end ? i : i + 1;
    return true;
}

static bool read_u32(const char *line, size_t n, size_t *at, char stop, uint32_t *out)
{
    uint64_t v;
    if (!read_whole(line, n, at, stop, UINT32_MAX, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

static nope_status refuse(char *err, const char *what, uint64_t number, const char *rest)
{
    size_t at = nope_fmt_append(err, 0, what);
    if (rest) {
        char num[NOPE_FMT_MAX];
        nope_fmt_u64(num, number);
        nope_fmt_append(err, nope_fmt_append(err, at, num), rest);
    }
    return NOPE_ERR_ARG;
}

/* ---- Merging ---- */

typedef struct {
    uint32_t from, to;
} trial_range;

static struct {
    bool started;
    char config[CONFIG_MAX];
    size_t config_len;
    nope_config cfg;
    uint32_t parts;
    trial_range ranges[NOPE_MAX_PARTS]; /* sorted by from, never overlapping */
} merge;

void nope_merge_begin(void)
{
    merge.started = false;
    merge.parts = 0;
}

/* A bounded text sink: the configuration line written back, to compare. */
typedef struct {
    char *buf;
    size_t len, cap;
} text_sink;

static void to_text(void *ctx, const char *bytes, size_t n)
{
    text_sink *t = ctx;
    for (size_t k = 0; k < n && t->len < t->cap; k++)
        t->buf[t->len++] = bytes[k];
}

/* "d=64 heads=4 ..." into a configuration, through the flags' own parser ("key=v" is
 * "--key v", '_' as '-'); it must print back as the same text, so the merged report names the
 * run exactly as one run's report would. */
static nope_status config_from_line(const char *line, size_t n, nope_config *cfg, char *err)
{
    enum { MAX_KEYS = 16 };
    char words[CONFIG_MAX + 2 * MAX_KEYS + 1];
    const char *argv[2 * MAX_KEYS];
    int argc = 0;
    size_t w = 0;
    if (n >= CONFIG_MAX)
        return refuse(err, "its configuration line is too long", 0, NULL);
    for (size_t i = 0; i < n;) {
        size_t eq = i;
        while (eq < n && line[eq] != '=' && line[eq] != ' ')
            eq++;
        if (eq >= n || line[eq] != '=' || eq == i || argc == 2 * MAX_KEYS)
            return refuse(err, "its configuration line is not key=value pairs", 0, NULL);
        argv[argc++] = words + w;
        words[w++] = '-';
        words[w++] = '-';
        for (; i < eq; i++)
            words[w++] = line[i] == '_' ? '-' : line[i];
        words[w++] = '\0';
        argv[argc++] = words + w;
        for (i = eq + 1; i < n && line[i] != ' '; i++)
            words[w++] = line[i];
        words[w++] = '\0';
        i += i < n;
    }
    char cli_err[NOPE_CLI_ERR_MAX];
    if (nope_cli_parse(argc, argv, cfg, cli_err) != NOPE_OK) {
        size_t at = nope_fmt_append(err, 0, "its configuration does not run here: ");
        for (size_t k = 0; cli_err[k] && at + 1 < NOPE_MERGE_ERR_MAX; k++)
            err[at++] = cli_err[k];
        err[at] = '\0';
        return NOPE_ERR_ARG;
    }
    char back[CONFIG_MAX];
    text_sink t = {back, 0, sizeof back};
    nope_sink sink = {to_text, &t};
    nope_report_config_write(cfg, &sink);
    if (t.len != n || cfg->shards != 0 || cfg->seed_random)
        return refuse(err, "its configuration line is not as a run writes it", 0, NULL);
    for (size_t k = 0; k < n; k++)
        if (back[k] != line[k])
            return refuse(err, "its configuration line is not as a run writes it", 0, NULL);
    return NOPE_OK;
}

/* Keep [from, to) among the sorted ranges, unless it overlaps one. */
static nope_status add_range(uint32_t from, uint32_t to, char *err)
{
    if (merge.parts == NOPE_MAX_PARTS)
        return refuse(err, "more than ", NOPE_MAX_PARTS, " parts in one merge (NOPE_MAX_PARTS)");
    uint32_t k = merge.parts;
    while (k > 0 && merge.ranges[k - 1].from > from)
        k--;
    const trial_range *before = k > 0 ? &merge.ranges[k - 1] : NULL;
    const trial_range *after = k < merge.parts ? &merge.ranges[k] : NULL;
    const trial_range *hit = before && before->to > from ? before : after && after->from < to ? after : NULL;
    if (hit) {
        char num[NOPE_FMT_MAX];
        size_t at = nope_fmt_append(err, 0, "its trials overlap another part's (trials ");
        nope_fmt_u64(num, hit->from);
        at = nope_fmt_append(err, nope_fmt_append(err, at, num), " to ");
        nope_fmt_u64(num, hit->to - 1);
        nope_fmt_append(err, nope_fmt_append(err, at, num), ", 0-based): each trial must be in one part");
        return NOPE_ERR_ARG;
    }
    for (uint32_t j = merge.parts; j > k; j--)
        merge.ranges[j] = merge.ranges[j - 1];
    merge.ranges[k].from = from;
    merge.ranges[k].to = to;
    merge.parts++;
    return NOPE_OK;
}

/* "# counts name=N name=N": the mode's counters, in their order, added to the merge's. */
static nope_status read_counts(const char *line, size_t n, char *err)
{
    size_t at;
    if (!starts(line, n, "# counts ", &at))
        return refuse(err, "line 5 is not the counts line", 0, NULL);
    for (unsigned k = 0; k < NOPE_NUM_COUNTERS; k++) {
        size_t key;
        uint64_t count;
        if (!starts(line + at, n - at, nope_num_counter_name(k), &key) || at + key >= n || line[at + key] != '=')
            return refuse(err, "its counts line does not name this mode's counters", 0, NULL);
        at += key + 1;
        if (!read_whole(line, n, &at, k + 1 < NOPE_NUM_COUNTERS ? ' ' : '\0', UINT64_MAX, &count))
            return refuse(err, "its counts line has a count that is not a whole number, or more counters", 0, NULL);
        nope_num_counter_add(k, count);
    }
    return NOPE_OK;
}

/* Row "l,p,<sums>,<sums>" of layer l and position p (1-based). */
static nope_status read_row(const char *line, size_t n, uint32_t layer, uint32_t pos, char *err)
{
    uint32_t l, p;
    size_t at = 0;
    if (!read_u32(line, n, &at, ',', &l) || !read_u32(line, n, &at, ',', &p) || l != layer || p != pos)
        return refuse(err, "its table is not one row per layer and position, in order (row for layer ", layer,
                      " missing or out of place)");
    for (int s = 0; s < NOPE_STAT_COUNT; s++) {
        size_t end = at;
        while (end < n && line[end] != ',')
            end++;
        nope_moments m;
        if ((s + 1 < NOPE_STAT_COUNT) != (end < n) || !nope_moments_from_text(&m, line + at, end - at))
            return refuse(err, "its sums do not read as this mode's, in the row of layer ", layer, "");
        if (!nope_stats_merge((nope_stat)s, layer - 1, pos - 1, &m))
            return refuse(err, "its sums, added to the others', leave the sums' range: not a part a run wrote", 0,
                          NULL);
        at = end + 1;
    }
    return NOPE_OK;
}

nope_status nope_merge_part(const char *text, size_t len, char *err)
{
    err[0] = '\0';
    line_reader r = {text, len, 0};
    const char *line;
    size_t n, rest;
    if (!next_line(&r, &line, &n) || !starts(line, n, "# nope-variance ", &rest))
        return refuse(err, "not a nope partial (its first line is not '" MAGIC VERSION "')", 0, NULL);
    if (starts(line, n, "# nope-variance report", &rest))
        return refuse(err, "a report, not a partial (a partial comes from a run with --shard k/K)", 0, NULL);
    if (!equal(line, n, MAGIC VERSION))
        return refuse(err,
                      starts(line, n, MAGIC, &rest)
                          ? "a partial of another format version; this program reads v" VERSION
                          : "not a nope partial (its first line is not '" MAGIC VERSION "')",
                      0, NULL);

    /* The checksum: the last line, over every byte before it. */
    size_t last = len;
    if (len == 0 || text[len - 1] != '\n')
        return refuse(err, "truncated: it does not end with a whole line", 0, NULL);
    last = len - 1;
    while (last > 0 && text[last - 1] != '\n')
        last--;
    size_t key;
    if (!starts(text + last, len - 1 - last, CHECKSUM_KEY, &key) || len - 1 - last != key + 16)
        return refuse(err, "truncated: its last line is not the checksum line", 0, NULL);
    char want[NOPE_FMT_MAX];
    nope_fmt_hex64(want, nope_fnv1a64(NOPE_FNV1A64_INIT, text, last));
    if (!equal(text + last + key, 16, want))
        return refuse(err, "checksum mismatch: the part was changed or damaged after it was written", 0, NULL);
    r.len = last; /* the checksum line is done with */

    if (!next_line(&r, &line, &n) || !starts(line, n, "# mode=", &rest))
        return refuse(err, "line 2 is not the mode line", 0, NULL);
    if (!equal(line + rest, n - rest, NOPE_NUM_NAME))
        return refuse(err, "a partial of another numeric mode; this program merges " NOPE_NUM_NAME " partials", 0,
                      NULL);

    if (!next_line(&r, &line, &n) || !starts(line, n, "# config ", &rest))
        return refuse(err, "line 3 is not the configuration line", 0, NULL);
    const char *config = line + rest;
    size_t config_len = n - rest;
    if (!merge.started) {
        nope_status st = config_from_line(config, config_len, &merge.cfg, err);
        if (st != NOPE_OK)
            return st;
        for (size_t k = 0; k < config_len; k++)
            merge.config[k] = config[k];
        merge.config_len = config_len;
        merge.started = true;
        nope_stats_reset(&merge.cfg);
    } else {
        bool same = config_len == merge.config_len;
        for (size_t k = 0; same && k < config_len; k++)
            same = config[k] == merge.config[k];
        if (!same)
            return refuse(err, "its configuration or seed differs from the first part's", 0, NULL);
    }

    uint32_t from, to;
    size_t at = 0;
    if (!next_line(&r, &line, &n) || !starts(line, n, "# trials from=", &at) || !read_u32(line, n, &at, ' ', &from) ||
        !starts(line + at, n - at, "to=", &rest) || (at += rest, !read_u32(line, n, &at, '\0', &to)))
        return refuse(err, "line 4 is not the trials line", 0, NULL);
    if (from >= to || to > merge.cfg.trials)
        return refuse(err, "its trial range is empty or beyond the run's ", merge.cfg.trials, " trials");
    nope_status st = add_range(from, to, err);
    if (st != NOPE_OK)
        return st;

    if (!next_line(&r, &line, &n))
        return refuse(err, "line 5 is not the counts line", 0, NULL);
    st = read_counts(line, n, err);
    if (st != NOPE_OK)
        return st;
    if (!next_line(&r, &line, &n) || !equal(line, n, TABLE_HEADER))
        return refuse(err, "line 6 is not the table's header '" TABLE_HEADER "'", 0, NULL);
    for (uint32_t l = 1; l <= merge.cfg.layers; l++)
        for (uint32_t p = 1; p <= merge.cfg.seq; p++) {
            if (!next_line(&r, &line, &n))
                return refuse(err, "its table ends early, at layer ", l, "");
            st = read_row(line, n, l, p, err);
            if (st != NOPE_OK)
                return st;
        }
    if (r.at != r.len)
        return refuse(err, "it has lines after its table", 0, NULL);
    return NOPE_OK;
}

nope_status nope_merge_end(nope_config *cfg, char *err)
{
    err[0] = '\0';
    if (!merge.started)
        return refuse(err, "no parts to merge", 0, NULL);
    uint32_t next = 0;
    for (uint32_t k = 0; k <= merge.parts; k++) {
        uint32_t from = k < merge.parts ? merge.ranges[k].from : merge.cfg.trials;
        if (from != next) {
            char num[NOPE_FMT_MAX];
            size_t at = nope_fmt_append(err, 0, "trials ");
            nope_fmt_u64(num, next);
            at = nope_fmt_append(err, nope_fmt_append(err, at, num), " to ");
            nope_fmt_u64(num, from - 1);
            nope_fmt_append(err, nope_fmt_append(err, at, num), " (0-based) are in no part: run their shard");
            return NOPE_ERR_ARG;
        }
        next = k < merge.parts ? merge.ranges[k].to : next;
    }
    *cfg = merge.cfg;
    return NOPE_OK;
}
