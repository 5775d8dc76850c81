/* csvdoc.h - a PowerShell Export-Csv file (Get-MsolUser) turned into a snapshot document's JSON. */
#ifndef SS_CSVDOC_H
#define SS_CSVDOC_H

#include <stddef.h>

#include "base/buf.h"
#include "base/error.h"

/*
 * Converts the CSV text data[0..len) (UTF-8, BOM already removed) to a JSON
 * array with one object per row, appended to out: the header row names the
 * members, every value is a JSON string and an empty cell is null (so a
 * row tells an empty cell from a column the file lacks). A first line "#TYPE ..." (Windows
 * PowerShell 5.1's Export-Csv) is skipped, as are empty lines and header
 * columns repeating an earlier name (case-insensitively); cells beyond the
 * header are ignored. So the measures and facts read the rows like any
 * PowerShell JSON document.
 *
 * Errors: SS_EPARSE for a malformed row or invalid UTF-8 (err gets the line
 * and column; the caller adds the file), SS_ETOOBIG when out would pass its
 * ceiling. out is left partly written on error.
 */
int ss_csvdoc_to_json(const char *data, size_t len, struct ss_buf *out, struct ss_error *err);

#endif
