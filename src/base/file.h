/* file.h - reading whole files with the encodings Windows tools write, and atomic writes. */
#ifndef SS_FILE_H
#define SS_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/*
 * Reads the file at path into a fresh NUL-terminated buffer (*out, owned by
 * the caller, free()) of *len bytes. A UTF-8 BOM is removed; a UTF-16LE BOM
 * makes the content transcoded to UTF-8 (Windows PowerShell's Out-File).
 * Files over max bytes fail with SS_ETOOBIG. Errors name the file.
 */
int ss_file_read(const char *path, size_t max, char **out, size_t *len, struct ss_error *err);

/*
 * Writes data to path atomically: a temporary file in the same directory,
 * fsync, rename. Either the old or the new content is there afterwards.
 */
int ss_file_write_atomic(const char *path, const void *data, size_t len, struct ss_error *err);

/* The same, for a secret: created readable and writable by its owner only (0600). */
int ss_file_write_private(const char *path, const void *data, size_t len, struct ss_error *err);

/* Creates a directory and its parents (mode 0755 or 0700 when private). */
int ss_mkdir_p(const char *path, bool private_dir, struct ss_error *err);

bool ss_file_exists(const char *path);
bool ss_dir_exists(const char *path);

#endif
