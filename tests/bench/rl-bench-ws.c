/* rl-bench-ws.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-bench-ws.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

int
rl_bench_ws_connect (const struct sockaddr_in *addr,
                     gboolean                  linger_reset)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;

  if (fd < 0)
    return -1;
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (linger_reset)
    rl_bench_ws_set_reset (fd);
  if (connect (fd, (const struct sockaddr *) addr, sizeof *addr) < 0 && errno != EINPROGRESS)
    {
      int saved = errno;

      close (fd);
      errno = saved;
      return -1;
    }
  return fd;
}

void
rl_bench_ws_set_reset (int fd)
{
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };

  setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
}

void
rl_bench_ws_append_upgrade (GByteArray *out,
                            const char *host,
                            int         port,
                            const char *token)
{
  g_autofree char *request = NULL;
  guint8 key[16];
  g_autofree char *key64 = NULL;

  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8) g_random_int ();
  key64 = g_base64_encode (key, sizeof key);
  request = g_strdup_printf ("GET /api/v1/ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                             "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                             "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: redline.v1\r\n"
                             "Authorization: Bearer %s\r\n\r\n", host, port, key64, token);
  g_byte_array_append (out, (const guint8 *) request, (guint) strlen (request));
}

gsize
rl_bench_ws_parse_head (const GByteArray *in,
                        guint            *status)
{
  const guint8 *end = in->len >= 4 ? memmem (in->data, in->len, "\r\n\r\n", 4) : NULL;

  if (end == NULL)
    return 0;
  *status = 0;
  if (in->len > 12 && memcmp (in->data, "HTTP/1.1 ", 9) == 0)
    *status = (guint) g_ascii_strtoull ((const char *) in->data + 9, NULL, 10);
  return (gsize) (end - in->data) + 4;
}

void
rl_bench_ws_append_frame (GByteArray *out,
                          guint8      opcode,
                          const void *payload,
                          gsize       length)
{
  guint8 head[14];
  gsize n = 0;
  guint32 key = g_random_int ();
  const guint8 *mask = (const guint8 *) &key;
  const guint8 *p = payload;
  guint start;

  head[n++] = 0x80 | opcode;
  if (length < 126)
    head[n++] = 0x80 | (guint8) length;
  else if (length < 65536)
    {
      head[n++] = 0x80 | 126;
      head[n++] = (guint8) (length >> 8);
      head[n++] = (guint8) length;
    }
  else
    {
      head[n++] = 0x80 | 127;
      for (int i = 7; i >= 0; i--)
        head[n++] = (guint8) ((guint64) length >> (i * 8));
    }
  memcpy (head + n, mask, 4);
  n += 4;
  g_byte_array_append (out, head, (guint) n);
  start = out->len;
  g_byte_array_set_size (out, start + (guint) length);
  for (gsize i = 0; i < length; i++)
    out->data[start + i] = p[i] ^ mask[i % 4];
}

gboolean
rl_bench_ws_next_frame (const GByteArray  *in,
                        gsize             *offset,
                        guint8            *opcode,
                        gboolean          *final,
                        const guint8     **payload,
                        gsize             *length)
{
  const guint8 *p = in->data + *offset;
  gsize avail = in->len - *offset, head = 2;
  guint64 n;

  if (avail < 2)
    return FALSE;
  n = p[1] & 0x7f;
  if (n == 126)
    {
      if (avail < 4)
        return FALSE;
      n = ((guint64) p[2] << 8) | p[3];
      head = 4;
    }
  else if (n == 127)
    {
      if (avail < 10)
        return FALSE;
      n = 0;
      for (int i = 0; i < 8; i++)
        n = (n << 8) | p[2 + i];
      head = 10;
    }
  /* The server never masks (RFC 6455 §5.1). */
  if (avail < head + n)
    return FALSE;
  *opcode = p[0] & 0x0f;
  *final = (p[0] & 0x80) != 0;
  *payload = p + head;
  *length = (gsize) n;
  *offset += head + (gsize) n;
  return TRUE;
}

gboolean
rl_bench_ws_flush (int         fd,
                   GByteArray *out)
{
  gsize done = 0;

  while (done < out->len)
    {
      ssize_t n = send (fd, out->data + done, out->len - done, MSG_NOSIGNAL);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN)
            break;
          return FALSE;
        }
      done += (gsize) n;
    }
  g_byte_array_remove_range (out, 0, (guint) done);
  return TRUE;
}

gssize
rl_bench_ws_fill (int         fd,
                  GByteArray *in)
{
  guint8 buffer[65536];
  gssize total = 0;

  for (;;)
    {
      ssize_t n = recv (fd, buffer, sizeof buffer, 0);

      if (n > 0)
        {
          g_byte_array_append (in, buffer, (guint) n);
          total += n;
          if ((gsize) n < sizeof buffer)
            return total;
          continue;
        }
      if (n == 0)
        return total > 0 ? total : 0;
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN && total > 0)
        return total;
      return -1;
    }
}

gboolean
rl_bench_proc_memory (int      pid,
                      guint64 *rss_kib,
                      guint64 *anon_kib)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return FALSE;
  *rss_kib = *anon_kib = 0;
  if ((line = strstr (status, "VmRSS:")))
    *rss_kib = g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
  if ((line = strstr (status, "RssAnon:")))
    *anon_kib = g_ascii_strtoull (line + strlen ("RssAnon:"), NULL, 10);
  return TRUE;
}

int
rl_bench_proc_fds (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", pid);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  int n = 0;

  if (dir == NULL)
    return -1;
  while (g_dir_read_name (dir))
    n++;
  return n;
}

guint64
rl_bench_raise_fd_limit (guint64 wanted)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) < 0)
    return 0;
  if (limit.rlim_max < wanted)
    {
      /* Only root may raise the hard limit; anyone the soft one. */
      struct rlimit more = { wanted, wanted };

      if (setrlimit (RLIMIT_NOFILE, &more) == 0)
        limit = more;
    }
  if (limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
      getrlimit (RLIMIT_NOFILE, &limit);
    }
  return limit.rlim_cur;
}

/* ---- the server under load ------------------------------------------------ */

static char *
admin_v (const char *server,
         const char *db,
         va_list     args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  const char *arg;
  int status = 0;

  g_ptr_array_add (argv, (char *) server);
  g_ptr_array_add (argv, (char *) "--db");
  g_ptr_array_add (argv, (char *) db);
  while ((arg = va_arg (args, const char *)))
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, 0, NULL, NULL, &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, NULL))
    g_error ("redline-server %s %s: %s", (char *) argv->pdata[3], argv->len > 5 ? (char *) argv->pdata[4] : "",
             error ? error->message : err);
  g_strstrip (out);
  lines = g_strsplit (out, "\n", -1);
  return g_strdup (lines[g_strv_length (lines) - 1]);
}

char *
rl_bench_admin (const char *server,
                const char *db,
                ...)
{
  char *line;
  va_list args;

  va_start (args, db);
  line = admin_v (server, db, args);
  va_end (args);
  return line;
}

void
rl_bench_add_team (const char   *server,
                   const char   *db,
                   const char   *tenant,
                   const char   *label,
                   int           n_users,
                   int           n_docs,
                   const char   *image,
                   char       ***tokens,
                   char       ***doc_ids)
{
  g_free (rl_bench_admin (server, db, "tenant", "add", tenant, NULL));
  *tokens = g_new0 (char *, n_users + 1);
  for (int u = 0; u < n_users; u++)
    {
      g_autofree char *name = g_strdup_printf ("%s %d", label, u);

      (*tokens)[u] = rl_bench_admin (server, db, "user", "add", "--tenant", tenant, "--name", name,
                                     "--role", "member", NULL);
    }
  *doc_ids = g_new0 (char *, n_docs + 1);
  for (int d = 0; d < n_docs; d++)
    {
      g_autofree char *title = g_strdup_printf ("%s %d", label, d);

      (*doc_ids)[d] = rl_bench_admin (server, db, "doc", "add", "--tenant", tenant, "--title", title, image, NULL);
    }
}

GSubprocess *
rl_bench_start_server (const char         *server,
                       const char         *db,
                       const char         *log,
                       int                 port,
                       const char * const *args,
                       char              **url,
                       int                *port_out)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process;
  const char *address;

  g_ptr_array_add (argv, g_strdup (server));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_strdup (db));
  g_ptr_array_add (argv, g_strdup ("serve"));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%d", port));
  for (guint i = 0; args && args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  /* Appended to: one log for every server a run starts. */
  g_subprocess_launcher_take_stderr_fd (launcher, g_open (log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (process == NULL)
    g_error ("redline-server: %s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, "listening on "))
    g_error ("redline-server did not start (see %s)", log);
  address = line + strlen ("listening on ");
  if (url)
    *url = g_strdup (address);
  if (port_out)
    *port_out = (int) g_ascii_strtoll (strrchr (address, ':') + 1, NULL, 10);
  return process;
}

void
rl_bench_loopback (struct sockaddr_in *addr,
                   int                 port)
{
  memset (addr, 0, sizeof *addr);
  addr->sin_family = AF_INET;
  addr->sin_port = htons ((guint16) port);
  inet_pton (AF_INET, "127.0.0.1", &addr->sin_addr);
}

char *
rl_bench_http_get (const struct sockaddr_in *addr,
                   const char               *path,
                   const char               *token)
{
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                                              "Authorization: Bearer %s\r\nConnection: close\r\n\r\n",
                                              path, ntohs (addr->sin_port), token);
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  guint status = 0;
  gsize head;

  if (connect (fd, (const struct sockaddr *) addr, sizeof *addr) < 0)
    {
      close (fd);
      return NULL;
    }
  g_byte_array_append (out, (const guint8 *) request, (guint) strlen (request));
  rl_bench_ws_flush (fd, out);
  while (rl_bench_ws_fill (fd, in) > 0)
    ;
  close (fd);
  head = rl_bench_ws_parse_head (in, &status);
  if (head == 0 || status != 200)
    return NULL;
  return g_strndup ((const char *) in->data + head, in->len - head);
}

void
rl_bench_remove_run (const char *dir,
                     const char *db,
                     const char *log)
{
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);

  g_unlink (db);
  g_unlink (shm);
  g_unlink (wal);
  g_unlink (log);
  g_rmdir (dir);
}

/* Whether the member before the one at key (its opening quote) is a
 * comment's "editedAt": null or an RFC 3339 string, then a comma. */
static gboolean
after_edited_at (const guint8 *key,
                 const guint8 *start)
{
  static const char edited[] = "\"editedAt\":";
  const guint8 *q = key - 1;   /* the comma */

  if (q <= start || *q != ',')
    return FALSE;
  if (q - start >= 4 && memcmp (q - 4, "null", 4) == 0)
    q -= 4;
  else if (q[-1] == '"')
    {
      q -= 2;
      while (q > start && *q != '"')
        q--;
    }
  else
    return FALSE;
  return q - start >= (gssize) strlen (edited) && memcmp (q - strlen (edited), edited, strlen (edited)) == 0;
}

const guint8 *
rl_bench_next_event_seq (const guint8 *p,
                         const guint8 *end,
                         const guint8 *start,
                         gint64       *seq)
{
  while (p < end && (p = memmem (p, (gsize) (end - p), "\"seq\":", 6)) != NULL)
    {
      const guint8 *key = p;

      p += 6;
      if (after_edited_at (key, start))
        continue;
      *seq = g_ascii_strtoll ((const char *) p, NULL, 10);
      return p;
    }
  return NULL;
}
