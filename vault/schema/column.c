/* column.c - names of column types as schemas write them. */
#include "vault/schema/column.h"

static const char *const type_names[BK_TYPE_COUNT] = {
	"text", "int", "date", "enum", "region", "nik", "phone", "score1to4",
};

const char *bk_coltype_name(enum bk_coltype t)
{
	return (unsigned)t < BK_TYPE_COUNT ? type_names[t] : "?";
}
