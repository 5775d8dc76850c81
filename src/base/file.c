/* file.c - whole-file reads with BOM handling, atomic writes, mkdir -p. */
#include "base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/text.h"

int ss_file_read(const char *path, size_t max, char **out, size_t *len, struct ss_error *err)
{
	struct ss_buf b;
	char chunk[65536];
	FILE *f;
	size_t n;
	int rc = 0;

	*out = NULL;
	*len = 0;
	f = fopen(path, "rb");
	if (!f) {
		ss_error_set(err, errno == ENOENT ? SS_ENOENT : SS_EIO, "cannot open: %s", strerror(errno));
		ss_error_at(err, path, 0, 0);
		return err ? err->code : SS_EIO;
	}
	ss_buf_init(&b, max);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		rc = ss_buf_add(&b, chunk, n);
		if (rc) {
			ss_error_set(err, rc, "file is larger than the limit of %zu bytes", max);
			goto out;
		}
	}
	if (ferror(f)) {
		rc = ss_error_set(err, SS_EIO, "read failed");
		goto out;
	}
	if (b.len >= 3 && memcmp(b.ptr, "\xEF\xBB\xBF", 3) == 0) {
		memmove(b.ptr, b.ptr + 3, b.len - 3);
		b.len -= 3;
		b.ptr[b.len] = '\0';
	} else if (b.len >= 2 && memcmp(b.ptr, "\xFF\xFE", 2) == 0) {
		struct ss_buf u;
		ss_buf_init(&u, max);
		rc = ss_utf16le_to_utf8(&u, (const unsigned char *)b.ptr + 2, b.len - 2);
		if (rc) {
			ss_buf_release(&u);
			rc = ss_error_set(err, rc, "invalid UTF-16LE content");
			goto out;
		}
		ss_buf_release(&b);
		b = u;
	}
	if (!b.ptr)
		ss_buf_add(&b, "", 0);
	*out = ss_buf_detach(&b, len);
out:
	fclose(f);
	if (rc) {
		ss_error_at(err, path, 0, 0);
		ss_buf_release(&b);
	}
	return rc;
}

static int write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct ss_error *err)
{
	struct ss_buf tmp;
	int fd, rc = 0;
	const char *p = data;

	ss_buf_init(&tmp, 8192);
	if (ss_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid()))
		return ss_error_set(err, SS_ETOOBIG, "path too long");
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) { /* mode, narrowed by the umask */
		rc = ss_error_set(err, SS_EIO, "cannot create: %s", strerror(errno));
		goto out;
	}
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = ss_error_set(err, SS_EIO, "write failed: %s", strerror(errno));
			close(fd);
			unlink(tmp.ptr);
			goto out;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		rc = ss_error_set(err, SS_EIO, "write failed: %s", strerror(errno));
		unlink(tmp.ptr);
		goto out;
	}
	if (rename(tmp.ptr, path) != 0) {
		rc = ss_error_set(err, SS_EIO, "cannot rename into place: %s", strerror(errno));
		unlink(tmp.ptr);
	}
out:
	if (rc)
		ss_error_at(err, path, 0, 0);
	ss_buf_release(&tmp);
	return rc;
}

int ss_file_write_atomic(const char *path, const void *data, size_t len, struct ss_error *err)
{
	return write_atomic(path, data, len, 0644, err);
}

int ss_file_write_private(const char *path, const void *data, size_t len, struct ss_error *err)
{
	return write_atomic(path, data, len, 0600, err);
}

int ss_mkdir_p(const char *path, bool private_dir, struct ss_error *err)
{
	char *p = ss_xstrdup(path);
	size_t i, n = strlen(p);
	int rc = 0;
	mode_t mode = private_dir ? 0700 : 0755;

	for (i = 1; i <= n; i++) {
		if (p[i] == '/' || p[i] == '\0') {
			char c = p[i];
			p[i] = '\0';
			if (mkdir(p, mode) != 0 && errno != EEXIST) {
				rc = ss_error_set(err, SS_EIO, "cannot create directory: %s",
						  strerror(errno));
				ss_error_at(err, p, 0, 0);
				break;
			}
			p[i] = c;
		}
	}
	free(p);
	return rc;
}

bool ss_file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool ss_dir_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}
