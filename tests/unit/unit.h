/* unit.h - what every cmocka unit test includes. */
#ifndef BK_TEST_UNIT_H
#define BK_TEST_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* Source tree root, for fixtures; tests run from it (tests/run cds there). */
#define BK_TEST_FIXTURES "tests/fixtures"

#endif
