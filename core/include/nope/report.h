/* The report: CSV with '#' comment lines, every byte produced by the core's own formatting so
 * host and boards print the same bytes. Layout (v1):
 *
 *   # nope-variance report v1
 *   # mode=f32
 *   # config d=64 heads=4 ... trials=1000 seed=1
 *   # saturations=0 / # underflows=0 / ...    (the numeric mode's notes; fixed point only)
 *   # warning ...                             (only when something cannot be trusted or is empty)
 *   # theory layer=1 c=... formula=d^2*sigma^4*c/m
 *   # slope layer=L attn=... hid=...          (one line per layer)
 *   # ratio layer=1 mean=...                  (mean over positions of measured / theory)
 *   # theory2 layer=1 s=... mean=... worst=... at=m   (the logits' scale; measured / theory2:
 *                                             mean over positions, the one furthest from 1)
 *   layer,pos,attn_var,attn_se,attn_theory,attn_theory2,hid_var,hid_se
 *   1,1,...                                   (one row per layer and position, 1-based)
 *   # checksum fnv1a64=<16 hex digits>        (FNV-1a 64 of every byte before this line)
 *
 * A trained model's report (--model FILE --text FILE, nope/trained.h) has the same title, mode,
 * notes, warnings, slopes and table, with: the config line naming the model and the text
 * ("# config model=<CRC-32> model_bytes=N text=<CRC-32> text_bytes=N d=... seed=S"), in fixed
 * point a "# model_fixed saturated=N flushed=M" note (weights that did not fit the fixed format),
 * no theory lines, attn_theory and attn_theory2 empty, and two more columns, loss and loss_se:
 * the mean over trials of -log2 p(next byte) at that position, bits per byte (the same in every
 * layer's row: it is the model's output). Older readers that find columns by name read it.
 *
 * No number is ever "nan" or "inf": an undefined value is an empty field (the theories beyond
 * layer 1, attn_theory2 past its largest logit scale, a slope where a mean variance is 0), and a
 * warning line says why. Readers find columns by name: v1 grew attn_theory2 and "# theory2".
 */
#ifndef NOPE_REPORT_H
#define NOPE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "nope/config.h"
#include "nope/writer.h"

/* Warning k about the last run's report (why some of it cannot be trusted or is empty), into
 * buf of NOPE_REPORT_WARNING_MAX bytes; false when there is no warning k. The report prints
 * each as a "# warning ..." line; a program should show them on its diagnostic stream too. */
#define NOPE_REPORT_WARNING_MAX 192
bool nope_report_warning(const nope_config *cfg, uint32_t k, char *buf);

/* Write the report of the last nope_experiment_run with this configuration. */
void nope_report_write(const nope_config *cfg, const nope_sink *sink);

/* The configuration line's body ("d=64 heads=4 ... seed=1", no newline), for banners too. */
void nope_report_config_write(const nope_config *cfg, const nope_sink *sink);

/* The lines every file of a run begins with: title ("# nope-variance report v1"), the mode and
 * the configuration; the report and the partial (nope/partial.h) share them. */
void nope_report_head_put(nope_writer *w, const char *title, const nope_config *cfg);

/* A number of the report: 9 significant digits, or nothing (an empty field) for NaN. */
void nope_report_put_sci(nope_writer *w, const nope_dec *v);

/* A comment line: prefix ("# ", "# warning "), text, newline. */
void nope_report_comment_put(nope_writer *w, const char *prefix, const char *text);

/* "# slope layer=L attn=... hid=..." for every layer. */
void nope_report_slopes_put(nope_writer *w, const nope_config *cfg);

/* The slopes' warning (how many are undefined) into buf, false when every slope is defined. */
bool nope_report_slope_warning(const nope_config *cfg, char *buf);

#endif
