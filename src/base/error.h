/* error.h - the one error model: negative codes plus a caller-provided detail struct. */
#ifndef SS_ERROR_H
#define SS_ERROR_H

/*
 * Functions return 0 on success or one of the negative SS_E* codes. Details
 * (file, line, column, field, message) go into a struct ss_error the caller
 * provides; a NULL error pointer is allowed and drops the details.
 */
enum {
	SS_OK = 0,
	SS_EIO = -1,	 /* cannot open, read or write a file */
	SS_EPARSE = -2,	 /* malformed input (JSON, CSV, dates) */
	SS_EINVAL = -3,	 /* well-formed input with a wrong type or value */
	SS_ENOENT = -4,	 /* a named thing does not exist */
	SS_ESTORE = -5,	 /* the database refused or is not ours */
	SS_EUSAGE = -6,	 /* the command line is wrong */
	SS_ETOOBIG = -7, /* input over a configured limit */
};

struct ss_error {
	int code;	 /* the SS_E* code of the first error recorded */
	char file[512];	 /* file the error is about, "" when none */
	long line;	 /* 1-based line, 0 when unknown */
	long column;	 /* 1-based column, 0 when unknown */
	char field[256]; /* JSON path or field name, "" when none */
	char msg[512];	 /* lowercase human message, without file/line */
};

/* Resets err to "no error". */
void ss_error_clear(struct ss_error *err);

/*
 * Records an error unless one is already recorded (the first cause wins) and
 * returns code, so callers write `return ss_error_set(err, SS_EIO, ...)`.
 */
int ss_error_set(struct ss_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Sets the file / position / field of the recorded error (no-op when err is NULL). */
void ss_error_at(struct ss_error *err, const char *file, long line, long column);
void ss_error_field(struct ss_error *err, const char *field);

/* Formats "FILE:LINE:COL: field 'F': MSG" into out (always NUL-terminated). */
void ss_error_format(const struct ss_error *err, char *out, unsigned long outlen);

/* Prints "secscore: error: ..." to stderr, with terminal escapes neutralised. */
void ss_error_print(const struct ss_error *err);

/* A static name for a code: "i/o error", "parse error", ... */
const char *ss_strerror(int code);

#endif
