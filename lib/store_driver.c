/*
 * What the store and its drivers share (store_driver.h).
 */
#include <stdlib.h>

#include "store_driver.h"

void
store_buf_free(struct store_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
}
