/* anon.h - the anonymization engine (DESIGN §10): full-domain generalization
 * of the quasi columns over the lattice of their hierarchies, for
 * k-anonymity, l-diversity of the sensitive columns and a suppression budget,
 * choosing the node of least information loss. And an independent re-check
 * of a released table. Pure computation: no database, no I/O.
 *
 * Input is dictionary-encoded. For each quasi column the caller gives every
 * distinct stored value a level-0 code, labels each value at every level with
 * bk_hierarchy_label (vault/schema/hierarchy.h), gives each distinct label of level j
 * a level-j code, and fills up[j][c] = the level-(j+1) code of level-j code c.
 * Sensitive values get codes the same way (any uint32: equal values, equal
 * codes). WARNING: the levels must form a tree, each label of one level inside
 * one label of the next; bk_hierarchy_check guarantees it for the hierarchies
 * it accepts (bands must nest); a caller building up[] should still refuse a
 * level-j code whose values reach two different codes one level up rather
 * than pick one.
 *
 * Model. A node gives each quasi column a level. At a node, rows with equal
 * generalized quasi values form a class. A class passes when it has at least
 * k rows and, with l-diversity, every sensitive column has in it at least l
 * distinct values (BK_LDIV_DISTINCT) or an entropy -sum(p log p) of at least
 * log l (BK_LDIV_ENTROPY, within 1e-9). Rows of failing classes are
 * suppressed: the whole record is dropped and is not a class. A node
 * satisfies the model when it suppresses at most max_suppressed rows and
 * releases at least one.
 *
 * Loss (ARX's "Loss": Iyengar's loss metric averaged over cells). For a quasi
 * column with d level-0 codes, a cell generalized to label g loses
 * (leaves(g) - 1) / (d - 1), where leaves(g) is the number of level-0 codes
 * whose level-j code is g (codes of the domain, not rows: level 0 loses 0,
 * "*" loses 1). A column with d = 1 loses 0 in every cell. A suppressed row
 * counts as fully generalized: each of its cells loses 1 (0 for d = 1). The
 * node's loss is the mean over all nrows x nquasi cells, released or
 * suppressed, in [0, 1]. Among satisfying nodes the engine picks the least
 * loss; losses within 1e-12 are equal, and then the lower sum of levels wins,
 * then the lexicographically smaller level vector (column 0 first).
 *
 * Search. Rows are first collapsed into distinct quasi tuples (one radix
 * sort; a hash table when the codes' ranges multiply past 2^64). The loss of a
 * node is at least the loss of its generalization alone with no row
 * suppressed, a bound that needs no evaluation and grows with every level;
 * nodes are visited best-first by that bound, and the search stops when the
 * bound passes the best loss found, so the answer is exactly optimal.
 * Monotonicity prunes the rest. Above a node that satisfies the model with
 * nothing suppressed no node does better (always true: a merge of passing
 * classes passes, for entropy l-diversity by concavity). Below a node that
 * suppresses too much every node does, for k-anonymity and distinct
 * l-diversity: rows that pass at a node pass at every node above it. To find
 * such failing nodes cheaply the engine probes, as Flash does, a chain of
 * generalizations above each node it visits, by binary search.
 * WARNING: entropy l-diversity with a suppression budget is not monotone (a
 * passing class merged with a failing one can fail), and ARX assumes it is.
 * The engine does not: there it prunes below a node only when a lower bound of
 * the rows every node below must suppress passes the budget (per class: a
 * union of passing classes has entropy >= log l, so at least what the most
 * even subset of it that reaches log l leaves out). The result is exact in
 * every model; the tests compare it with a brute force over every node.
 * A node is evaluated by rolling up the class table of an already evaluated
 * finer node when one is cached, else the distinct tuples. The chosen node is
 * evaluated once more from the distinct tuples for the result. Nodes are
 * generated lazily, so large lattices cost only the nodes visited; when no
 * node satisfies the model but the bounds cannot show it, that can be all.
 *
 * Memory: about 28 bytes a row while the rows are collapsed (more with
 * l-diversity) and 4 after, then the distinct tuples' codes and counts a few
 * times over; nothing is malloc'd per row. On the benchmark (1 M rows, 5 quasi
 * columns, 440 k distinct tuples) the engine peaks at about 55 MiB beside its
 * input. */
#ifndef BK_ANON_H
#define BK_ANON_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BK_ANON_QUASI_MAX 16
#define BK_ANON_LEVELS_MAX 8
#define BK_ANON_SENSITIVE_MAX 4

/* One quasi column's hierarchy, as codes. */
struct bk_anon_hier {
	size_t nlevels;                           /* 2..BK_ANON_LEVELS_MAX, level 0 and "*" included */
	size_t ncodes[BK_ANON_LEVELS_MAX];        /* codes at each level; ncodes[nlevels - 1] == 1 (the "*") */
	const uint32_t *up[BK_ANON_LEVELS_MAX];   /* up[j][c]: level-(j+1) code of level-j code c, j < nlevels - 1 */
};

enum bk_ldiv { BK_LDIV_NONE, BK_LDIV_DISTINCT, BK_LDIV_ENTROPY };

struct bk_anon_input {
	size_t nrows, nquasi;           /* nrows < 2^32 - 1; nquasi 1..BK_ANON_QUASI_MAX */
	const uint32_t *quasi;          /* nrows * nquasi level-0 codes, row-major */
	struct bk_anon_hier hier[BK_ANON_QUASI_MAX];
	size_t nsensitive;              /* 0..BK_ANON_SENSITIVE_MAX */
	const uint32_t *sensitive;      /* nrows * nsensitive codes, row-major; NULL when nsensitive is 0 */
	size_t k;                       /* >= 2 */
	enum bk_ldiv ldiv;              /* on every sensitive column; needs nsensitive >= 1 */
	size_t l;                       /* >= 2 with ldiv */
	size_t max_suppressed;          /* rows that may be suppressed */
	double risk_threshold;          /* for share_at_risk, e.g. 0.2: classes of fewer than 5 rows */
};

struct bk_anon_result {
	int found;                      /* 0: no node satisfies the model; only the nodes_ counts below mean anything */
	size_t level[BK_ANON_QUASI_MAX];/* the chosen node */
	uint8_t *suppressed;            /* nrows flags, 1 = suppressed; malloc'd, owned by the result */
	size_t nsuppressed, nclasses, smallest_class, nreleased;
	double risk_max, risk_avg;      /* prosecutor risk of released rows, 1 / class size: max, mean per row */
	double share_at_risk;           /* share of released rows in classes with risk > risk_threshold */
	double loss;                    /* the Loss above, in [0, 1] */
	size_t nodes_total;             /* nodes of the lattice (product of nlevels) */
	size_t nodes_checked;           /* nodes evaluated during the search */
};

/* bk_anon_run searches the lattice and fills *res (zeroed on entry; release
 * it with bk_anon_result_release whatever the return). Returns BK_OK whether
 * or not a node was found, BK_ERR_USAGE for input outside the ranges above
 * (a code out of range, a hierarchy whose top has more than one code, k < 2,
 * ...) with a detail naming the column, BK_ERR_NOMEM. The input is not
 * modified and not kept. nrows == 0 gives found = 0. */
bk_status bk_anon_run(const struct bk_anon_input *in, struct bk_anon_result *res) BK_MUST_CHECK;

/* bk_anon_result_release frees res->suppressed and zeroes *res. */
void bk_anon_result_release(struct bk_anon_result *res);

/* bk_anon_verify_release re-checks a table about to be released, sharing no
 * code with the search: quasi_cells holds nrows * nquasi generalized values
 * and sensitive_cells nrows * nsensitive values, row-major, NUL-terminated
 * (suppressed rows already removed). Rows with equal quasi values form a
 * class; every class must have at least k rows and, with l-diversity, per
 * sensitive column at least l distinct values and, with BK_LDIV_ENTROPY, an
 * entropy of at least log l within 1e-9 (l is ignored with BK_LDIV_NONE).
 * Returns BK_OK, BK_ERR_CORRUPT with a detail on the first violation (sizes and
 * counts only, never a value), BK_ERR_USAGE for bad parameters, BK_ERR_NOMEM.
 * An empty table passes. */
bk_status bk_anon_verify_release(const char *const *quasi_cells, size_t nrows, size_t nquasi,
				 const char *const *sensitive_cells, size_t nsensitive, size_t k, enum bk_ldiv ldiv,
				 size_t l) BK_MUST_CHECK;

#endif
