/* main.c — redline-server: administration commands and `serve`
 *
 * Every command line is `redline-server [--db FILE] COMMAND [OPTION…] [ARG…]`,
 * parsed with GOptionContext: the global options first (strict POSIX, so
 * parsing stops at the command), then the command's own, by one function
 * from the table of commands at the end (name, usage, what it does, its
 * options and arguments, the function that runs it). `--help` works
 * at either level without a database. Exit status: 0 done, 1 failed, 2 the
 * command line was wrong.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "rl-error.h"
#include "rl-epoll.h"
#include "rl-hub.h"
#include "rl-invite-link.h"
#include "rl-limits.h"
#include "rl-migrate.h"
#include "rl-plaintext.h"
#include "rl-server.h"
#include "rl-store-pg.h"
#include "rl-store-sqlite.h"
#include "rl-time.h"
#include "rl-upload.h"

#define EXIT_MISUSE 2

typedef struct _Command Command;

/* The values of every command's options (each command has some of them),
 * NULL or FALSE when not given. */
typedef struct
{
  char     *tenant;
  char     *name;
  char     *role;
  char     *invite_for;
  char     *tls_cert;
  char     *title;
  char     *mime;
  gboolean  force;
  char     *listen;
  char     *tls_key;
  char     *event_log_limit;
  char     *activity_log_limit;
  char     *ping_interval;
  char     *frame_interval;
  char     *send_queue_limit;
  char     *metrics_allow;
  char     *handshake_timeout;
  char     *body_timeout;
  char     *max_sockets;
  char     *max_unauthenticated;
  char     *node;
  char     *from;
  char     *to;
} Options;

/* One option of a command, and where its value goes in Options. */
typedef struct
{
  const char *long_name;
  GOptionArg  arg;
  gsize       offset;
  const char *description;
  const char *arg_description;
} Option;

#define OPTION(long_name, arg, field, description, arg_description) \
  { long_name, arg, G_STRUCT_OFFSET (Options, field), description, arg_description }

/* One parsed command line, handed to a command. */
typedef struct
{
  const Command  *command;
  const char     *db;
  char          **args;       /* the command's own, argv-style: args[0] names it */
  Options         options;
} Invocation;

struct _Command
{
  const char   *name;         /* "user add" */
  const char   *synopsis;     /* what follows it in the usage line */
  const char   *brief;        /* in the list of commands */
  const char   *summary;
  const Option *options;      /* NULL-terminated; NULL: none */
  guint         n_positional; /* the arguments it takes after its options */
  int         (*run) (Invocation *invocation);
  gboolean      makes_database; /* may start a new file (as §7's commands
                                 * always did); the others need one */
  gboolean      own_databases;  /* names its databases in its options, and
                                 * takes no --db */
};

static int
misuse (const Invocation *invocation,
        const char       *format,
        ...) G_GNUC_PRINTF (2, 3);

static int
misuse (const Invocation *invocation,
        const char       *format,
        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (invocation && invocation->command)
    g_printerr ("redline-server: %s: %s\nTry “redline-server %s --help”.\n",
                invocation->command->name, message, invocation->command->name);
  else
    g_printerr ("redline-server: %s\nTry “redline-server --help”.\n", message);
  return EXIT_MISUSE;
}

static int
fail (const GError *error)
{
  g_printerr ("redline-server: %s\n", error->message);
  return 1;
}

/* Strings are G_OPTION_ARG_FILENAME: GLib passes those through as bytes,
 * where a string would be converted from the locale's charset and a name
 * like “Zoë” refused under LANG=C. Text is checked for UTF-8 where it is
 * kept. */
#define OPTION_TEXT G_OPTION_ARG_FILENAME

static void
options_clear (Options *options)
{
  g_clear_pointer (&options->tenant, g_free);
  g_clear_pointer (&options->name, g_free);
  g_clear_pointer (&options->role, g_free);
  g_clear_pointer (&options->invite_for, g_free);
  g_clear_pointer (&options->tls_cert, g_free);
  g_clear_pointer (&options->title, g_free);
  g_clear_pointer (&options->mime, g_free);
  g_clear_pointer (&options->listen, g_free);
  g_clear_pointer (&options->tls_key, g_free);
  g_clear_pointer (&options->event_log_limit, g_free);
  g_clear_pointer (&options->activity_log_limit, g_free);
  g_clear_pointer (&options->ping_interval, g_free);
  g_clear_pointer (&options->frame_interval, g_free);
  g_clear_pointer (&options->send_queue_limit, g_free);
  g_clear_pointer (&options->metrics_allow, g_free);
  g_clear_pointer (&options->handshake_timeout, g_free);
  g_clear_pointer (&options->body_timeout, g_free);
  g_clear_pointer (&options->max_sockets, g_free);
  g_clear_pointer (&options->max_unauthenticated, g_free);
  g_clear_pointer (&options->node, g_free);
  g_clear_pointer (&options->from, g_free);
  g_clear_pointer (&options->to, g_free);
}

/* Parses the command's options (its table's) out of invocation->args into
 * invocation->options, and checks its arguments. Returns -1 to go on, else
 * the exit status (0 after --help). */
static int
parse_command (Invocation *invocation)
{
  const Command *command = invocation->command;
  gboolean help = FALSE;
  g_autoptr(GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  const GOptionEntry help_entry = { "help", 'h', 0, G_OPTION_ARG_NONE, &help, "Show this help", NULL };
  g_autoptr(GOptionContext) context = g_option_context_new (command->synopsis);
  g_autoptr(GError) error = NULL;
  guint n_positional = command->n_positional;
  guint given = 0;

  for (const Option *option = command->options; option && option->long_name; option++)
    {
      GOptionEntry entry = { option->long_name, 0, 0, option->arg,
                             G_STRUCT_MEMBER_P (&invocation->options, option->offset),
                             option->description, option->arg_description };

      g_array_append_val (entries, entry);
    }
  g_array_append_val (entries, help_entry);

  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_summary (context, command->summary);
  g_option_context_add_main_entries (context, (const GOptionEntry *) entries->data, NULL);
  if (!g_option_context_parse_strv (context, &invocation->args, &error))
    return misuse (invocation, "%s", error->message);

  if (help)
    {
      g_autofree char *prgname = g_strdup (g_get_prgname ());
      g_autofree char *usage = g_strdup_printf (command->own_databases ? "redline-server %s"
                                                : "redline-server --db FILE %s", command->name);
      g_autofree char *text = NULL;

      /* The usage line names the whole command. */
      g_set_prgname (usage);
      text = g_option_context_get_help (context, TRUE, NULL);
      g_set_prgname (prgname);
      g_print ("%s", text);
      return 0;
    }

  /* "--" ends the options; what follows is positional even if it starts
   * with a dash. */
  for (guint i = 1; invocation->args[i] != NULL; i++)
    if (g_str_equal (invocation->args[i], "--"))
      {
        g_free (invocation->args[i]);
        memmove (invocation->args + i, invocation->args + i + 1,
                 (g_strv_length (invocation->args + i + 1) + 1) * sizeof (char *));
        break;
      }
  given = g_strv_length (invocation->args) - 1;
  if (given != n_positional)
    {
      if (given > n_positional)
        return misuse (invocation, "unexpected “%s”", invocation->args[n_positional + 1]);
      return misuse (invocation, "%s", n_positional == 1 ? "one argument is missing" : "arguments are missing");
    }
  if (command->own_databases && invocation->db != NULL)
    return misuse (invocation, "it takes no --db (its options name the databases)");
  if (!command->own_databases && invocation->db == NULL)
    return misuse (invocation, "--db FILE is required");
  return -1;
}

/* --db is a PostgreSQL URI or conninfo, or else a SQLite file. */
static RlStore *
open_store (Invocation  *invocation,
            GError     **error)
{
  /* The database must exist already (its schema is made on first use). */
  if (rl_store_pg_is_conninfo (invocation->db))
    return rl_store_pg_open (invocation->db, error);
  /* A mistyped path must not leave an empty database behind. */
  if (!invocation->command->makes_database && !g_file_test (invocation->db, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no database at %s (tenant add makes one)",
                   invocation->db);
      return NULL;
    }
  return rl_store_sqlite_open (invocation->db, error);
}

/* The store for a command on a tenant's users or documents: --tenant is
 * required, or (for a listing) may be left out but must name a tenant.
 * NULL, with *status its exit code, when the command cannot go on. */
static RlStore *
open_tenant_store (Invocation *invocation,
                   gboolean    tenant_required,
                   int        *status)
{
  const char *tenant = invocation->options.tenant;
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (tenant_required && tenant == NULL)
    {
      *status = misuse (invocation, "--tenant is required");
      return NULL;
    }
  if ((store = open_store (invocation, &error)) == NULL)
    {
      *status = fail (error);
      return NULL;
    }
  if (tenant && !tenant_required && !rl_store_has_tenant (store, tenant))
    {
      *status = fail ((error = g_error_new (RL_ERROR, RL_ERROR_NOT_FOUND, "no tenant “%s”", tenant)));
      return NULL;
    }
  return g_steal_pointer (&store);
}

/* One field of a tab-separated line: tabs, line breaks and other control
 * characters escaped C-style, UTF-8 kept. */
static char *
tsv_field (const char *value)
{
  static char exceptions[129];

  if (exceptions[0] == '\0')
    for (int i = 0; i < 128; i++)
      exceptions[i] = (char) (0x80 + i);
  return g_strescape (value ? value : "", exceptions);
}

static gboolean
check_text (const char  *value,
            guint        max_chars,
            char       **clean)
{
  if (!g_utf8_validate (value, -1, NULL))
    return FALSE;
  *clean = g_strstrip (g_strdup (value));
  if (**clean == '\0' || g_utf8_strlen (*clean, -1) > max_chars)
    {
      g_clear_pointer (clean, g_free);
      return FALSE;
    }
  return TRUE;
}

/* ---- tenant ------------------------------------------------------------------- */

static int
cmd_tenant_add (Invocation *invocation)
{
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if ((store = open_store (invocation, &error)) == NULL)
    return fail (error);
  if (!rl_store_add_tenant (store, invocation->args[1], &error))
    return fail (error);
  g_print ("%s\n", invocation->args[1]);
  return 0;
}

/* ---- users and tokens --------------------------------------------------------------- */

static int
cmd_user_add (Invocation *invocation)
{
  const char *tenant = invocation->options.tenant;
  const char *name = invocation->options.name;
  const char *role_name = invocation->options.role;
  const char *invite_for = invocation->options.invite_for;
  const char *tls_cert = invocation->options.tls_cert;
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *link = NULL;
  g_autofree char *pinned = NULL;
  RlRole role = RL_ROLE_MEMBER;

  if (tenant == NULL || name == NULL)
    return misuse (invocation, "--tenant and --name are required");
  if (role_name && !rl_role_from_string (role_name, &role))
    return misuse (invocation, "--role is viewer, member or admin");
  if (tls_cert != NULL && invite_for == NULL)
    return misuse (invocation, "--tls-cert goes with --invite-for");
  /* The address and the certificate are checked before anyone is added. */
  if (invite_for != NULL && (link = rl_invite_link_for (invite_for, tls_cert, "t", &pinned, &error)) == NULL)
    return error->domain == G_OPTION_ERROR ? misuse (invocation, "%s", error->message) : fail (error);
  g_clear_pointer (&link, g_free);
  g_clear_pointer (&pinned, g_free);

  if ((store = open_store (invocation, &error)) == NULL)
    return fail (error);
  token = rl_store_add_user (store, tenant, name, role, &error);
  if (token == NULL)
    return fail (error);
  if (invite_for == NULL)
    {
      /* The token is shown once, alone on the last line; only its hash is kept. */
      g_print ("%s\n", token);
      return 0;
    }
  /* Or the new member's invite link, alone on the last line: it holds the
   * token (and the self-signed certificate's fingerprint). */
  link = rl_invite_link_for (invite_for, tls_cert, token, &pinned, &error);
  if (link == NULL)
    return fail (error);
  if (pinned != NULL)
    g_printerr ("redline-server: the link pins the self-signed certificate SHA-256 %s; a new certificate needs "
                "new invite links\n", pinned);
  g_print ("%s\n", link);
  return 0;
}

/* A listing: the header, then a line a record, of the tenant given or of
 * every tenant. */
static int
print_listing (Invocation  *invocation,
               GPtrArray *(*list) (RlStore *, const char *),
               const char  *header,
               void       (*print_line) (gconstpointer record))
{
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GPtrArray) records = NULL;
  int status;

  if ((store = open_tenant_store (invocation, FALSE, &status)) == NULL)
    return status;
  records = list (store, invocation->options.tenant);
  g_print ("%s\n", header);
  for (guint i = 0; i < records->len; i++)
    print_line (g_ptr_array_index (records, i));
  return 0;
}

static void
print_user (gconstpointer record)
{
  const RlUserInfo *user = record;
  g_autofree char *name = tsv_field (user->name);
  g_autofree char *created = rl_time_format (user->created_at);
  g_autofree char *revoked = user->revoked_at ? rl_time_format (user->revoked_at) : g_strdup ("-");

  g_print ("%s\t%s\t%s\t%s\t%s\t%s\n", user->tenant, user->id, name, rl_role_to_string (user->role),
           created, revoked);
}

static int
cmd_user_list (Invocation *invocation)
{
  /* Never a token, nor its hash: neither is printable after `user add`. */
  return print_listing (invocation, rl_store_list_users, "TENANT\tID\tNAME\tROLE\tCREATED\tREVOKED", print_user);
}

static int
cmd_user_revoke (Invocation *invocation)
{
  const char *tenant = invocation->options.tenant;
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 was_revoked_at = 0;
  int status;

  if ((store = open_tenant_store (invocation, TRUE, &status)) == NULL)
    return status;
  if (!rl_store_revoke_user (store, tenant, invocation->args[1], &was_revoked_at, &error))
    return fail (error);

  if (was_revoked_at)
    {
      g_autofree char *when = rl_time_format (was_revoked_at);

      g_print ("user %s of %s was revoked already, at %s\n", invocation->args[1], tenant, when);
    }
  else
    g_print ("revoked user %s of %s: its token is refused, its connections close within a second\n",
             invocation->args[1], tenant);
  return 0;
}

static int
cmd_user_rename (Invocation *invocation)
{
  const char *tenant = invocation->options.tenant;
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if ((store = open_tenant_store (invocation, TRUE, &status)) == NULL)
    return status;
  if (!rl_store_rename_user (store, tenant, invocation->args[1], invocation->args[2], &error))
    return fail (error);
  /* Mentions keep the id: they show the new name from now on. */
  g_print ("renamed user %s of %s\n", invocation->args[1], tenant);
  return 0;
}

static int
cmd_token_rotate (Invocation *invocation)
{
  const char *tenant = invocation->options.tenant;
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  int status;

  if ((store = open_tenant_store (invocation, TRUE, &status)) == NULL)
    return status;
  token = rl_store_rotate_token (store, tenant, invocation->args[1], &error);
  if (token == NULL)
    return fail (error);
  /* As `user add`: shown once, alone on the last line. */
  g_print ("%s\n", token);
  return 0;
}

/* ---- documents ------------------------------------------------------------------- */

static const char *
guess_mime (const char *path)
{
  static const struct { const char *suffix, *mime; } table[] = {
    { ".png", "image/png" }, { ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" },
    { ".webp", "image/webp" }, { ".md", "text/markdown" }, { ".markdown", "text/markdown" },
    { ".txt", "text/plain" },
  };
  g_autofree char *lower = g_ascii_strdown (path, -1);

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_str_has_suffix (lower, table[i].suffix))
      return table[i].mime;
  return NULL;
}

static int
cmd_doc_add (Invocation *invocation)
{
  const char *tenant = invocation->options.tenant;
  const char *title = invocation->options.title;
  const char *mime_option = invocation->options.mime;
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(RlDocument) doc = NULL;
  g_autofree char *clean_title = NULL;
  g_autofree char *mime = NULL;
  g_autofree char *text_model = NULL;
  const char *path, *given_mime;
  RlDocKind kind;
  RlPerson admin = { (char *) "admin", (char *) "Administrator" };
  int width, height;

  if (tenant == NULL || title == NULL)
    return misuse (invocation, "--tenant and --title are required");
  if (!check_text (title, RL_TITLE_MAX_CHARS, &clean_title))
    return misuse (invocation, "--title is 1–200 characters of UTF-8");
  path = invocation->args[1];
  given_mime = mime_option ? mime_option : guess_mime (path);
  if (given_mime == NULL)
    return misuse (invocation, "cannot tell the file’s type: pass --mime");

  file = g_mapped_file_new (path, FALSE, &error);
  if (file == NULL)
    return fail (error);
  content = g_mapped_file_get_bytes (file);
  if (!rl_upload_check (given_mime, content, &mime, &width, &height, &error))
    return fail (error);
  if ((store = open_store (invocation, &error)) == NULL)
    return fail (error);
  if (rl_doc_kind_for_mime (mime, &kind) && kind == RL_DOC_KIND_PAGE)
    {
      gsize size;
      const char *data = g_bytes_get_data (content, &size);
      g_autoptr(RlPageText) text = rl_page_text_new (mime, data ? data : "", size, &error);

      if (text == NULL)
        return fail (error);
      text_model = rl_page_text_serialize (text, NULL);
    }
  doc = rl_store_add_document (store, tenant, &admin, clean_title, mime, width, height, content, text_model,
                               &error);
  if (doc == NULL)
    return fail (error);
  g_print ("%s\n", doc->id);
  return 0;
}

static void
print_document (gconstpointer record)
{
  const RlDocumentInfo *info = record;
  g_autofree char *title = tsv_field (info->doc->title);
  g_autofree char *created = rl_time_format (info->doc->created_at);

  g_print ("%s\t%s\t%s\t%s\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%s\t%s\n",
           info->tenant, info->doc->id, rl_doc_kind_to_string (info->doc->kind), info->doc->mime,
           info->doc->size, info->head_seq, info->threads, created, title);
}

static int
cmd_doc_list (Invocation *invocation)
{
  return print_listing (invocation, rl_store_list_document_infos,
                        "TENANT\tID\tKIND\tMIME\tSIZE\tSEQ\tTHREADS\tCREATED\tTITLE", print_document);
}

static int
cmd_doc_remove (Invocation *invocation)
{
  const char *tenant = invocation->options.tenant;
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 threads = 0, comments = 0, events = 0;
  int status;

  if ((store = open_tenant_store (invocation, TRUE, &status)) == NULL)
    return status;
  if (!rl_store_remove_document (store, tenant, invocation->args[1], &threads, &comments, &events, &error))
    return fail (error);
  g_print ("removed document %s of %s with %" G_GINT64_FORMAT " threads, %" G_GINT64_FORMAT
           " comments and %" G_GINT64_FORMAT " logged events\n",
           invocation->args[1], tenant, threads, comments, events);
  return 0;
}

/* ---- backup ------------------------------------------------------------------------ */

static void
backup_progress (gint64   done,
                 gint64   total,
                 gpointer user_data)
{
  g_printerr ("\rredline-server: backup: %3d %%", total > 0 ? (int) (done * 100 / total) : 100);
  if (done == total)
    g_printerr ("\n");
}

static int
cmd_backup (Invocation *invocation)
{
  gboolean force = invocation->options.force;
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 bytes = 0;

  if ((store = open_store (invocation, &error)) == NULL)
    return fail (error);
  if (!rl_store_backup (store, invocation->args[1], force, isatty (STDERR_FILENO) ? backup_progress : NULL,
                        NULL, &bytes, &error))
    return fail (error);
  g_print ("backed up %" G_GINT64_FORMAT " bytes to %s\n", bytes, invocation->args[1]);
  return 0;
}

/* ---- migrate ----------------------------------------------------------------------- */

/* 4102 → "4,102" */
static char *
count_text (guint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  GString *text = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (text, ',');
      g_string_append_c (text, digits[i]);
    }
  return g_string_free (text, FALSE);
}

/* A file that exists, can be read and starts as every SQLite database does. */
static gboolean
check_sqlite_file (const char  *path,
                   GError     **error)
{
  static const char magic[16] = "SQLite format 3";
  char header[16] = { 0 };
  ssize_t got;
  int fd;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "--from: no database at %s", path);
      return FALSE;
    }
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || (got = read (fd, header, sizeof header)) < 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "--from: cannot read %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  close (fd);
  if (got != sizeof header || memcmp (header, magic, sizeof magic) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "--from: %s is not a SQLite database", path);
      return FALSE;
    }
  return TRUE;
}

static void
migrate_verified (const char *tenant,
                  const char *doc,
                  guint64     threads,
                  guint64     events,
                  gsize       bytes,
                  gpointer    user_data)
{
  g_autofree char *n_threads = count_text (threads);
  g_autofree char *n_events = count_text (events);
  g_autofree char *n_bytes = count_text (bytes);

  g_print ("verified document %s of %s: %s thread%s, %s event%s, %s byte%s\n", doc, tenant,
           n_threads, threads == 1 ? "" : "s", n_events, events == 1 ? "" : "s", n_bytes, bytes == 1 ? "" : "s");
}

static int
cmd_migrate (Invocation *invocation)
{
  const char *from = invocation->options.from;
  const char *to = invocation->options.to;
  g_autoptr(RlStore) source = NULL;
  g_autoptr(RlStore) target = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *documents = NULL;
  g_autofree char *threads = NULL;
  g_autofree char *events = NULL;
  RlMigrateCounts copied, checked;

  if (from == NULL || to == NULL)
    return misuse (invocation, "--from and --to are required");
  if (!rl_store_pg_is_conninfo (to))
    return fail ((error = g_error_new (RL_ERROR, RL_ERROR_BAD_REQUEST,
                                       "--to: “%s” is not a PostgreSQL database (a postgresql:// URI or a "
                                       "key=value conninfo): a deployment moves from SQLite to PostgreSQL", to)));
  if (rl_store_pg_is_conninfo (from))
    return fail ((error = g_error_new (RL_ERROR, RL_ERROR_BAD_REQUEST,
                                       "--from: a deployment moves from its SQLite file, not from PostgreSQL")));
  if (!check_sqlite_file (from, &error))
    return fail (error);

  if ((source = rl_store_sqlite_open (from, &error)) == NULL ||
      (target = rl_store_pg_open (to, &error)) == NULL)
    return fail (error);
  if (!rl_migrate_run (source, target, &copied, migrate_verified, NULL, &checked, &error))
    {
      if (copied.tenants == 0)
        g_prefix_error (&error, "nothing was copied: ");
      return fail (error);
    }

  documents = count_text (checked.documents);
  threads = count_text (checked.threads);
  events = count_text (checked.events);
  g_print ("verified %s document%s, %s thread%s, %s event%s\n", documents, checked.documents == 1 ? "" : "s",
           threads, checked.threads == 1 ? "" : "s", events, checked.events == 1 ? "" : "s");
  return 0;
}

/* ---- serve ------------------------------------------------------------------------- */

typedef struct
{
  GMainLoop *loop;
  RlServer  *server;
  gboolean   stopping;
} ServeState;

static void
on_shutdown_done (gpointer data)
{
  ServeState *state = data;

  g_main_loop_quit (state->loop);
}

static gboolean
on_signal (gpointer data)
{
  ServeState *state = data;

  if (state->stopping)
    return G_SOURCE_CONTINUE;
  state->stopping = TRUE;
  g_printerr ("redline-server: stopping\n");
  rl_server_shutdown (state->server, G_CALLBACK (on_shutdown_done), state);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_listen (const char  *listen,
              char       **host,
              guint       *port)
{
  const char *colon = strrchr (listen, ':');
  guint64 value;

  if (colon == NULL || colon == listen)
    return FALSE;
  if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &value, NULL))
    return FALSE;
  if (listen[0] == '[' && colon[-1] == ']')
    *host = g_strndup (listen + 1, colon - listen - 2);
  else
    *host = g_strndup (listen, colon - listen);
  *port = (guint) value;
  return TRUE;
}

static void
drop_message (const char     *domain,
              GLogLevelFlags  level,
              const char     *message,
              gpointer        data)
{
}

/* Every WebSocket costs two descriptors (its socket, its main context's
 * wakeup). The soft limit is often 1024 (systemd's default, a shell's)
 * under a far higher hard one, and libsoup 3.2 stops accepting once an
 * accept fails for want of a descriptor (rl-server.c starts it again, a
 * second later): the server takes all it is allowed. */
static void
raise_descriptor_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

/* A node's name travels in the other nodes' notifications and metrics. */
static gboolean
valid_node_name (const char *name)
{
  gsize length = strlen (name);

  if (length == 0 || length > 64)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._:-", *p) == NULL)
      return FALSE;
  return TRUE;
}

/* The numbers serve takes, in the order they are checked. */
typedef enum
{
  SERVE_EVENT_LOG_LIMIT,
  SERVE_ACTIVITY_LOG_LIMIT,
  SERVE_PING_INTERVAL,
  SERVE_FRAME_INTERVAL,
  SERVE_SEND_QUEUE_LIMIT,
  /* (--metrics-allow is checked here) */
  SERVE_HANDSHAKE_TIMEOUT,
  SERVE_BODY_TIMEOUT,
  SERVE_MAX_SOCKETS,
  SERVE_MAX_UNAUTHENTICATED,
  SERVE_N_NUMBERS,
} ServeNumber;

/* Where each is in Options, its range, what a wrong one is told, and the
 * server's limit it sets, if one. */
static const struct
{
  gsize          offset;
  guint64        min, max;
  const char    *misuse;
  gboolean       is_limit;
  RlServerLimit  limit;
} serve_numbers[SERVE_N_NUMBERS] = {
  [SERVE_EVENT_LOG_LIMIT] = { G_STRUCT_OFFSET (Options, event_log_limit), 1, G_MAXUINT,
                              "--event-log-limit takes a positive number" },
  [SERVE_ACTIVITY_LOG_LIMIT] = { G_STRUCT_OFFSET (Options, activity_log_limit), 1, G_MAXUINT,
                                 "--activity-log-limit takes a positive number" },
  [SERVE_PING_INTERVAL] = { G_STRUCT_OFFSET (Options, ping_interval), 1, 300, "--ping-interval takes 1–300 seconds" },
  [SERVE_FRAME_INTERVAL] = { G_STRUCT_OFFSET (Options, frame_interval), 0, 1000,
                             "--frame-interval takes 0–1000 milliseconds" },
  [SERVE_SEND_QUEUE_LIMIT] = { G_STRUCT_OFFSET (Options, send_queue_limit), 1024, G_MAXUINT32,
                               "--send-queue-limit takes 1024 bytes or more" },
  [SERVE_HANDSHAKE_TIMEOUT] = { G_STRUCT_OFFSET (Options, handshake_timeout), 1, 300,
                                "--handshake-timeout takes 1–300 seconds", TRUE, RL_SERVER_LIMIT_HANDSHAKE_TIMEOUT },
  [SERVE_BODY_TIMEOUT] = { G_STRUCT_OFFSET (Options, body_timeout), 1, 3600, "--body-timeout takes 1–3600 seconds",
                           TRUE, RL_SERVER_LIMIT_BODY_TIMEOUT },
  [SERVE_MAX_SOCKETS] = { G_STRUCT_OFFSET (Options, max_sockets), 1, G_MAXUINT,
                          "--max-sockets-per-user takes a positive number", TRUE, RL_SERVER_LIMIT_MAX_SOCKETS_PER_USER },
  [SERVE_MAX_UNAUTHENTICATED] = { G_STRUCT_OFFSET (Options, max_unauthenticated), 0, G_MAXUINT,
                                  "--max-unauthenticated-per-address takes a number (0: no cap)", TRUE,
                                  RL_SERVER_LIMIT_MAX_UNAUTHENTICATED },
};

static const char *
serve_number_text (const Options *options,
                   ServeNumber    number)
{
  return G_STRUCT_MEMBER (const char *, options, serve_numbers[number].offset);
}

/* Reads serve's numbers first to end (the given ones into values); the
 * misuse line of the first that is not a number of its range, or NULL. */
static const char *
parse_serve_numbers (const Options *options,
                     ServeNumber    first,
                     ServeNumber    end,
                     guint64       *values)
{
  for (ServeNumber number = first; number < end; number++)
    {
      const char *text = serve_number_text (options, number);

      if (text && !g_ascii_string_to_unsigned (text, 10, serve_numbers[number].min, serve_numbers[number].max,
                                               &values[number], NULL))
        return serve_numbers[number].misuse;
    }
  return NULL;
}

static int
cmd_serve (Invocation *invocation)
{
  const Options *o = &invocation->options;
  const char *listen = o->listen, *tls_cert = o->tls_cert, *tls_key = o->tls_key;
  const char *metrics_allow = o->metrics_allow, *wrong;
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) tls = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(RlServer) server = NULL;
  g_autofree char *host = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GPtrArray) metrics_masks = NULL;
  ServeState state = { 0 };
  guint64 numbers[SERVE_N_NUMBERS] = { [SERVE_FRAME_INTERVAL] = RL_HUB_FRAME_INTERVAL_MS };
  guint port, sigterm, sigint;

  if (!parse_listen (listen ? listen : "127.0.0.1:8765", &host, &port))
    return misuse (invocation, "--listen takes HOST:PORT");
  if ((tls_cert == NULL) != (tls_key == NULL))
    return misuse (invocation, "--tls-cert and --tls-key go together");
  if ((wrong = parse_serve_numbers (o, 0, SERVE_HANDSHAKE_TIMEOUT, numbers)) != NULL)
    return misuse (invocation, "%s", wrong);
  if (metrics_allow && (metrics_masks = rl_server_parse_addresses (metrics_allow, &error)) == NULL)
    return misuse (invocation, "--metrics-allow: %s", error->message);
  if ((wrong = parse_serve_numbers (o, SERVE_HANDSHAKE_TIMEOUT, SERVE_N_NUMBERS, numbers)) != NULL)
    return misuse (invocation, "%s", wrong);
  if (o->node && !valid_node_name (o->node))
    return misuse (invocation, "--node takes 1–64 letters, digits and . _ : -");

  raise_descriptor_limit ();
  if ((store = open_store (invocation, &error)) == NULL)
    return fail (error);
  if (o->event_log_limit)
    rl_store_set_event_log_limit (store, (guint) numbers[SERVE_EVENT_LOG_LIMIT]);
  if (o->activity_log_limit)
    rl_store_set_activity_log_limit (store, (guint) numbers[SERVE_ACTIVITY_LOG_LIMIT]);
  if (tls_cert)
    {
      tls = g_tls_certificate_new_from_files (tls_cert, tls_key, &error);
      if (tls == NULL)
        return fail (error);
    }

  server = rl_server_new (store);
  if (o->ping_interval)
    rl_server_set_ping_interval (server, (guint) numbers[SERVE_PING_INTERVAL]);
  rl_server_set_frame_interval (server, (guint) numbers[SERVE_FRAME_INTERVAL]);
  if (o->send_queue_limit)
    rl_server_set_send_queue_limit (server, (gsize) numbers[SERVE_SEND_QUEUE_LIMIT]);
  rl_server_set_metrics_allow (server, metrics_masks);
  for (ServeNumber number = 0; number < SERVE_N_NUMBERS; number++)
    if (serve_numbers[number].is_limit && serve_number_text (o, number))
      rl_server_set_limit (server, serve_numbers[number].limit, (guint) numbers[number]);
  if (o->node)
    rl_server_set_node (server, o->node);
  if (!rl_server_listen (server, host, port, tls, &uri, &error))
    return fail (error);
  /* After listen, which names this node to a shared store: the committer's
   * connection commits as this node. */
  if (!rl_store_start_committer (store, &error))
    return fail (error);

  /* libsoup logs two debug lines per frame it sends (our own frames: acks,
   * snapshots); GLib's default handler reads the environment for each one
   * before dropping it. */
  if (g_getenv ("G_MESSAGES_DEBUG") == NULL)
    g_log_set_handler ("libsoup", G_LOG_LEVEL_DEBUG, drop_message, NULL);

  /* Every turn of the loop would otherwise walk every connection's socket. */
  if (g_getenv ("REDLINE_POLL") == NULL || g_strcmp0 (g_getenv ("REDLINE_POLL"), "epoll") == 0)
    rl_epoll_install (NULL);
  loop = g_main_loop_new (NULL, FALSE);
  state.loop = loop;
  state.server = server;
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &state);
  sigint = g_unix_signal_add (SIGINT, on_signal, &state);

  /* Scripts and tests wait for this line: stdout, alone, flushed. */
  g_print ("listening on %s\n", uri);
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (sigterm);
  g_source_remove (sigint);
  g_clear_object (&server);
  rl_epoll_uninstall (NULL);
  /* GLib's idle worker threads (TLS handshakes ran there) end before the
   * process does, so nothing is mid-exit when it goes. */
  g_thread_pool_set_max_unused_threads (0);
  g_thread_pool_stop_unused_threads ();
  return 0;
}

/* ---- the command line ----------------------------------------------------------------- */

static const Option user_add_options[] = {
  OPTION ("tenant", OPTION_TEXT, tenant, "The tenant the user joins", "ID"),
  OPTION ("name", OPTION_TEXT, name, "The name teammates see", "NAME"),
  OPTION ("role", OPTION_TEXT, role, "viewer, member (the default) or admin", "ROLE"),
  OPTION ("invite-for", OPTION_TEXT, invite_for,
          "Print the user’s invite link for this public address instead of the token",
          "HOST:PORT|wss://HOST[:PORT]|ws://HOST[:PORT]"),
  OPTION ("tls-cert", G_OPTION_ARG_FILENAME, tls_cert,
          "With --invite-for: the server’s certificate; a self-signed one is pinned in the link (fp=)", "FILE"),
  { NULL }
};

static const Option user_list_options[] = {
  OPTION ("tenant", OPTION_TEXT, tenant, "Only this tenant’s users", "ID"),
  { NULL }
};

/* user revoke, token rotate */
static const Option user_options[] = {
  OPTION ("tenant", OPTION_TEXT, tenant, "The user’s tenant", "ID"),
  { NULL }
};

static const Option doc_add_options[] = {
  OPTION ("tenant", OPTION_TEXT, tenant, "The tenant the document belongs to", "ID"),
  OPTION ("title", OPTION_TEXT, title, "Its title (1–200 characters)", "TITLE"),
  OPTION ("mime", OPTION_TEXT, mime, "Its type, when the file’s name does not tell", "TYPE"),
  { NULL }
};

static const Option doc_list_options[] = {
  OPTION ("tenant", OPTION_TEXT, tenant, "Only this tenant’s documents", "ID"),
  { NULL }
};

static const Option doc_remove_options[] = {
  OPTION ("tenant", OPTION_TEXT, tenant, "The document’s tenant", "ID"),
  { NULL }
};

static const Option backup_options[] = {
  OPTION ("force", G_OPTION_ARG_NONE, force, "Replace PATH if it exists", NULL),
  { NULL }
};

static const Option migrate_options[] = {
  OPTION ("from", G_OPTION_ARG_FILENAME, from, "The deployment’s SQLite file", "FILE"),
  OPTION ("to", OPTION_TEXT, to, "An empty PostgreSQL database: a postgresql:// URI or a key=value conninfo",
          "DATABASE"),
  { NULL }
};

static const Option serve_options[] = {
  OPTION ("listen", OPTION_TEXT, listen, "Where to listen (default 127.0.0.1:8765; port 0: any free one)", "HOST:PORT"),
  OPTION ("tls-cert", G_OPTION_ARG_FILENAME, tls_cert, "The certificate (PEM, the chain may follow)", "FILE"),
  OPTION ("tls-key", G_OPTION_ARG_FILENAME, tls_key, "Its private key (PEM)", "FILE"),
  OPTION ("event-log-limit", OPTION_TEXT, event_log_limit, "Events kept per document for resync (default 10000)", "N"),
  OPTION ("activity-log-limit", OPTION_TEXT, activity_log_limit,
          "Activity items kept per user for resync (default 1000)", "N"),
  OPTION ("ping-interval", OPTION_TEXT, ping_interval, "Seconds between WebSocket pings (1–300, default 25)", "SECONDS"),
  OPTION ("frame-interval", OPTION_TEXT, frame_interval,
          "Least milliseconds between a busy document's frames (0–1000, default 16; 0: every turn)", "MS"),
  OPTION ("send-queue-limit", OPTION_TEXT, send_queue_limit,
          "Bytes a connection may fall behind before it is closed (default 8 MiB)", "BYTES"),
  OPTION ("metrics-allow", OPTION_TEXT, metrics_allow,
          "Addresses that may read /metrics without a token (comma-separated, ADDRESS or ADDRESS/BITS)", "ADDR[,ADDR]"),
  OPTION ("handshake-timeout", OPTION_TEXT, handshake_timeout,
          "Seconds for a connection's TLS handshake and request head, and idle between requests (1–300, default 10)",
          "SECONDS"),
  OPTION ("body-timeout", OPTION_TEXT, body_timeout,
          "Seconds an upload's body (or an answer) may stand still (1–3600, default 30)", "SECONDS"),
  OPTION ("max-sockets-per-user", OPTION_TEXT, max_sockets, "WebSocket connections one user may hold (default 32)", "N"),
  OPTION ("max-unauthenticated-per-address", OPTION_TEXT, max_unauthenticated,
          "Connections one address may hold before they present a token (default 64; 0: no cap)", "N"),
  OPTION ("node", OPTION_TEXT, node,
          "This server's name among the nodes of a PostgreSQL database, unique (default HOST:PORT)", "NAME"),
  { NULL }
};

/* Every command: its name, usage, what it does, its options and arguments,
 * and what runs it. */
static const Command commands[] = {
  { "tenant add", "ID", "add a tenant", "Adds a tenant: the isolation boundary of users and documents.",
    NULL, 1, cmd_tenant_add, TRUE },
  { "user add", "--tenant ID --name NAME [--invite-for ADDRESS [--tls-cert FILE]]", "add a user; prints the token",
    "Adds a user and prints the user’s token, alone, on the last line (shown once: only its hash is kept); with "
    "--invite-for, the user’s invite link for that public address instead.", user_add_options, 0, cmd_user_add, TRUE },
  { "user list", "", "list users (never a token)", "Lists users: tenant, id, name, role, when created and when revoked (never a token).",
    user_list_options, 0, cmd_user_list },
  { "user revoke", "--tenant ID USER", "refuse a user’s token for good", "Refuses the user’s token from now on, for good; a running server "
    "closes the user’s connections (1008) within a second.", user_options, 1, cmd_user_revoke },
  { "user rename", "--tenant ID USER NAME", "give a user a new name", "Gives the user a new name; mentions of the user, "
    "which keep the user’s id, show it.", user_options, 2, cmd_user_rename },
  { "token rotate", "--tenant ID USER", "replace a user’s token; prints it", "Gives the user a new token, printed alone on the last line; the old "
    "one is refused from now on and a running server closes its connections (1008) within a second.",
    user_options, 1, cmd_token_rotate },
  { "doc add", "--tenant ID --title TITLE PATH", "add a document; prints its id", "Adds a document (PNG, JPEG, WebP, Markdown or plain text) "
    "and prints its id on the last line.", doc_add_options, 1, cmd_doc_add, TRUE },
  { "doc list", "", "list documents", "Lists documents: tenant, id, kind, type, size, head seq, threads, when created, title.",
    doc_list_options, 0, cmd_doc_list },
  { "doc remove", "--tenant ID DOC", "remove a document and its threads", "Removes a document with its threads, comments and event log; a running "
    "server closes its subscribers’ connections (1008) within a second.", doc_remove_options, 1, cmd_doc_remove },
  { "backup", "PATH", "copy the database while it serves", "Writes a consistent copy of the database to PATH while the server serves and writes "
    "(SQLite’s online backup); restore it by serving a copy of that file.", backup_options, 1, cmd_backup },
  { "migrate", "--from FILE --to DATABASE", "move a SQLite deployment to PostgreSQL", "Copies a SQLite deployment "
    "(tenants, users and their tokens, documents, threads, event logs, usage) into an empty PostgreSQL database in "
    "one transaction, then checks document by document that both read the same. A database that holds a tenant "
    "already is refused. Stop the server first: the copy is one snapshot of the file, and what is written after "
    "it stays behind.",
    migrate_options, 0, cmd_migrate, FALSE, TRUE },
  { "serve", "--listen HOST:PORT", "serve HTTP and WebSockets", "Serves the HTTP API and WebSockets; prints “listening on URL” once it accepts connections. "
    "SIGTERM or SIGINT closes every WebSocket with 1001 and exits 0.", serve_options, 0, cmd_serve, TRUE },
};

static char *
commands_description (const char *group)
{
  GString *text = g_string_new ("Commands:\n");

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *space = strchr (commands[i].name, ' ');

      if (group && (space == NULL || strncmp (commands[i].name, group, space - commands[i].name) != 0 ||
                    group[space - commands[i].name] != '\0'))
        continue;
      g_autofree char *usage = g_strconcat (commands[i].name, " ", commands[i].synopsis, NULL);

      g_string_append_printf (text, "  %-45s %s\n", usage, commands[i].brief);
    }
  g_string_append (text, "\nRun “redline-server COMMAND --help” for what each does and its options.\n");
  return g_string_free (text, FALSE);
}

/* The command args name (one word, or a group word and an action), and how
 * many words it took; NULL when none. *group_known: the first word is a
 * group (user, doc…) even though the action is not one of it. */
static const Command *
find_command (char     **args,
              guint     *words,
              gboolean  *group_known)
{
  *group_known = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *name = commands[i].name;
      const char *space = strchr (name, ' ');

      if (space == NULL)
        {
          if (g_str_equal (args[0], name))
            {
              *words = 1;
              return &commands[i];
            }
          continue;
        }
      if (strncmp (args[0], name, space - name) != 0 || args[0][space - name] != '\0')
        continue;
      *group_known = TRUE;
      if (args[1] && g_str_equal (args[1], space + 1))
        {
          *words = 2;
          return &commands[i];
        }
    }
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *db = NULL;
  gboolean version = FALSE, help = FALSE;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "The SQLite file (made if missing), or a PostgreSQL database: a postgresql:// URI or a key=value conninfo", "FILE" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, "Show this help", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("COMMAND [OPTION…] [ARG…]");
  g_autoptr(GError) error = NULL;
  g_autofree char *description = commands_description (NULL);
  g_auto(GStrv) args = NULL;
  Invocation invocation = { 0 };
  gboolean group_known;
  guint words = 0;

  setlocale (LC_ALL, "");
  g_set_prgname ("redline-server");

  g_option_context_set_help_enabled (context, FALSE);
  /* Global options come before the command; the command's own after it. */
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_set_summary (context, "The Redline server and its administration.");
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  args = g_strdupv (argv);
  if (!g_option_context_parse_strv (context, &args, &error))
    return misuse (NULL, "%s", error->message);

  if (help)
    {
      g_autofree char *text = g_option_context_get_help (context, TRUE, NULL);

      g_print ("%s", text);
      return 0;
    }
  if (version)
    {
      g_print ("redline-server %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (args[1] == NULL)
    return misuse (NULL, "a command is missing");
  if (g_str_has_prefix (args[1], "-"))
    return misuse (NULL, "unknown option %s", args[1]);

  invocation.command = find_command (args + 1, &words, &group_known);
  if (invocation.command == NULL)
    {
      /* `redline-server user --help` lists that group's commands. */
      if (group_known && args[2] && (g_str_equal (args[2], "--help") || g_str_equal (args[2], "-h")))
        {
          g_autofree char *list = commands_description (args[1]);

          g_print ("Usage:\n  redline-server --db FILE %s COMMAND [OPTION…]\n\n%s", args[1], list);
          return 0;
        }
      if (group_known)
        {
          g_autofree char *list = commands_description (args[1]);

          g_printerr ("redline-server: %s: unknown command “%s”\n%s", args[1], args[2] ? args[2] : "", list);
          return EXIT_MISUSE;
        }
      return misuse (NULL, "unknown command “%s”", args[1]);
    }

  invocation.db = db;
  /* The command's own argv: its name where a program's would be. */
  invocation.args = g_strdupv (args + words);
  {
    int status = parse_command (&invocation);

    if (status < 0)
      status = invocation.command->run (&invocation);
    options_clear (&invocation.options);
    g_strfreev (invocation.args);
    return status;
  }
}
