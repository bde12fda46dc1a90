/* rl-app-bench.c — the image view's costs, measured by hand (issue 4 §8)
 *
 * Starts the real redline-server on a temporary SQLite file with one
 * 8000×6000 mockup and 1000 markers, opens the app's image view on it in a
 * window (through a real connection and document store, as the app does),
 * and prints:
 *   app_first_frame_ms  from starting the app (build/src/app/redline, joined
 *                    by an invite link) to its window's first painted frame
 *   first_frame_ms   from creating the view's window to its first painted
 *                    frame (the texture already decoded; decode_ms too)
 *   rss_mib          resident memory once the view shows the markers
 *   pan_*            frame paint times while panning (25 % and 1:1) with the pins
 *   idle_cpu_pct     CPU used over the idle window, connected, nothing
 *                    happening (no polling: it should be near zero)
 *
 *   xvfb-run -a -s '-screen 0 1600x1000x24' dbus-run-session -- env GSK_RENDERER=cairo \
 *     build/tests/bench/rl-app-bench [--idle-seconds 60]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "rl-application.h"
#include "rl-connection.h"
#include "rl-doc-store.h"
#include "rl-image-view.h"
#include "rl-test-server.h"

#define IMAGE_WIDTH   8000
#define IMAGE_HEIGHT  6000
#define N_MARKERS     1000
#define PER_WRITER    170

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static double
rss_mib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line ? g_ascii_strtod (line + 6, NULL) / 1024.0 : -1;
}

/* A mockup-like picture: bands, cards and lines, so PNG does not squash it
 * to nothing and the decoder does real work. */
static GBytes *
make_mockup_png (void)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, IMAGE_WIDTH, IMAGE_HEIGHT);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  g_autoptr(GError) error = NULL;
  gchar *buffer = NULL;
  gsize size = 0;

  for (int y = 0; y < IMAGE_HEIGHT; y++)
    for (int x = 0; x < IMAGE_WIDTH; x++)
      {
        guint8 *p = pixels + y * stride + x * 3;
        gboolean card = (x / 400) % 2 == (y / 300) % 2;
        gboolean line = y % 40 < 6 && x % 400 > 40 && x % 400 < 300;

        p[0] = line ? 60 : card ? 245 : 230 - (y * 40 / IMAGE_HEIGHT);
        p[1] = line ? 64 : card ? 247 : 236 - (x * 30 / IMAGE_WIDTH);
        p[2] = line ? 80 : card ? 250 : 250;
      }
  if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "png", &error, "compression", "1", NULL))
    g_error ("png: %s", error->message);
  return g_bytes_new_take (buffer, size);
}

static void
add_markers (RlTestServer *server,
             const char   *token,
             const char   *doc)
{
  GRand *rand = g_rand_new_with_seed (4);
  guint made = 0;

  while (made < N_MARKERS)
    {
      g_autoptr(RlTestClient) writer = rl_test_client_new (server, token);
      guint batch = MIN (PER_WRITER, N_MARKERS - made);

      for (guint i = 0; i < batch; i++)
        {
          g_autofree char *req = g_strdup_printf ("m%u", made + i);
          g_autofree char *bc = rl_test_uuid ();
          g_autofree char *thread = rl_test_uuid ();
          g_autofree char *comment = rl_test_uuid ();

          rl_test_client_send_printf (writer,
                                      "{\"type\":\"create-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                      "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":%.4f,\"y\":%.4f}},"
                                      "\"comment\":{\"id\":\"%s\",\"body\":\"Marker %u: the spacing here looks off\"}}",
                                      req, bc, doc, thread, g_rand_double (rand), g_rand_double (rand),
                                      comment, made + i + 1);
        }
      for (guint i = 0; i < batch; i++)
        {
          g_autofree char *req = g_strdup_printf ("m%u", made + i);
          JsonObject *ack = rl_test_client_expect_ack (writer, req);

          g_assert_null (rl_test_ack_error (ack));
          json_object_unref (ack);
        }
      made += batch;
    }
  g_rand_free (rand);
}

/* ---- frames ------------------------------------------------------------------ */

typedef struct
{
  gint64  created_us;
  gint64  first_frame_us;
  gint64  paint_start_us;
  GArray *paint_us;          /* double: ms per painted frame while panning */
  gboolean recording;
} Frames;

static void
on_before_paint (GdkFrameClock *clock,
                 Frames        *frames)
{
  frames->paint_start_us = now_us ();
}

static void
on_after_paint (GdkFrameClock *clock,
                Frames        *frames)
{
  if (frames->first_frame_us == 0)
    frames->first_frame_us = now_us ();
  if (frames->recording)
    {
      double ms = (now_us () - frames->paint_start_us) / 1000.0;
      g_array_append_val (frames->paint_us, ms);
    }
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *values,
            double  p)
{
  if (values->len == 0)
    return -1;
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, MIN (values->len - 1, (guint) (p * values->len)));
}

typedef struct
{
  GtkAdjustment *h;
  GtkAdjustment *v;
  gint64         until_us;
  double         step;
} Pan;

static gboolean
pan_tick (GtkWidget     *widget,
          GdkFrameClock *clock,
          gpointer       data)
{
  Pan *pan = data;
  double h = gtk_adjustment_get_value (pan->h) + pan->step;
  double v = gtk_adjustment_get_value (pan->v) + pan->step * 0.75;

  if (h > gtk_adjustment_get_upper (pan->h) - gtk_adjustment_get_page_size (pan->h) || h < 0)
    pan->step = -pan->step;
  gtk_adjustment_set_value (pan->h, h);
  gtk_adjustment_set_value (pan->v, v);
  return now_us () < pan->until_us ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
stop_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Blocks in the main loop for ms: idle means asleep in poll(). */
static void
run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, stop_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* The app itself, started as a user would (with an invite link, on its
 * standard input as ./build-aux/dev run gives it), timed by its own
 * RL_STARTUP_TIMING line. */
static void
measure_app_startup (RlTestServer *server,
                     const char   *token)
{
  g_autofree char *link = g_strdup_printf ("redline://127.0.0.1:%u/join?token=%s&tls=0", server->port, token);
  g_autofree char *line_in = g_strconcat (link, "\n", NULL);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_subprocess_launcher_setenv (launcher, "RL_STARTUP_TIMING", "1", TRUE);
  app = g_subprocess_launcher_spawn (launcher, &error, REDLINE_APP_PATH, "--join-stdin", NULL);
  g_assert_no_error (error);
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (app), line_in, strlen (line_in), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (g_subprocess_get_stdin_pipe (app), NULL, NULL);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (app));
  while ((line = g_data_input_stream_read_line (out, NULL, NULL, &error)) != NULL &&
         !g_str_has_prefix (line, "first frame after "))
    g_clear_pointer (&line, g_free);
  g_assert_nonnull (line);
  g_print ("app_first_frame_ms=%.1f\n", g_ascii_strtod (line + strlen ("first frame after "), NULL));
  g_subprocess_send_signal (app, SIGTERM);
  g_subprocess_wait (app, NULL, NULL);
}

static gboolean
store_synced (gpointer data)
{
  return rl_doc_store_is_synced (data);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(RlTestServer) server = NULL;
  g_autoptr(RlConnection) connection = NULL;
  g_autoptr(RlDocStore) store = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autofree char *token = NULL;
  g_autofree char *doc = NULL;
  guint idle_seconds = 60;
  Frames frames = { .paint_us = g_array_new (FALSE, FALSE, sizeof (double)) };
  g_autoptr(RlReviewState) state = rl_review_state_new ();
  GtkWidget *window, *scrolled, *view;
  GdkFrameClock *clock;
  g_autoptr(GError) error = NULL;
  Pan pan;
  gint64 t0;
  double cpu0;

  for (int i = 1; i + 1 < argc; i++)
    if (g_str_equal (argv[i], "--idle-seconds"))
      idle_seconds = (guint) g_ascii_strtoull (argv[i + 1], NULL, 10);

  if (g_getenv ("REDLINE_SERVER") == NULL)
    g_setenv ("REDLINE_SERVER", REDLINE_SERVER_PATH, TRUE);
  if (g_getenv ("G_TEST_SRCDIR") == NULL)
    g_setenv ("G_TEST_SRCDIR", TESTS_SRCDIR, TRUE);
  gtk_init ();
  adw_init ();
  rl_app_register_resources ();

  server = rl_test_server_new ();
  g_free (rl_test_server_admin (server, "tenant", "add", "bench", NULL));
  token = rl_test_add_user (server, "bench", "Bench", "admin");
  png = make_mockup_png ();
  doc = rl_test_add_doc_bytes (server, "bench", "Big mockup", ".png", g_bytes_get_data (png, NULL),
                               (gssize) g_bytes_get_size (png));
  rl_test_server_start (server);
  add_markers (server, token, doc);
  g_print ("mockup %dx%d (%zu bytes PNG), %d markers\n", IMAGE_WIDTH, IMAGE_HEIGHT,
           g_bytes_get_size (png), N_MARKERS);
  measure_app_startup (server, token);

  connection = rl_connection_new (server->ws_base, token, NULL);
  rl_connection_start (connection);
  store = rl_doc_store_get (connection, doc, RL_DOC_KIND_IMAGE);
  g_assert_true (rl_test_wait_until (store_synced, store, 30000));
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (store)), ==, N_MARKERS);

  t0 = now_us ();
  texture = gdk_texture_new_from_bytes (png, &error);
  g_assert_no_error (error);
  g_print ("decode_ms=%.1f\n", (now_us () - t0) / 1000.0);

  frames.created_us = now_us ();
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  scrolled = gtk_scrolled_window_new ();
  view = rl_image_view_new (state);
  rl_image_view_set_texture (RL_IMAGE_VIEW (view), texture);
  /* The view keeps its own pixels (and their smaller levels), as in the app. */
  g_clear_object (&texture);
  rl_review_state_set_store (rl_image_view_get_state (RL_IMAGE_VIEW (view)), store, RL_DOC_KIND_IMAGE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_window_set_child (GTK_WINDOW (window), scrolled);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_realize (window);
  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), &frames);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &frames);
  while (frames.first_frame_us == 0)
    g_main_context_iteration (NULL, TRUE);
  g_print ("first_frame_ms=%.1f\n", (frames.first_frame_us - frames.created_us) / 1000.0);
  run_for (1000);
  g_print ("pins_shown=%u rss_mib=%.0f\n", rl_image_view_get_n_pins (RL_IMAGE_VIEW (view)), rss_mib ());

  /* Pan at 25 % (a few hundred pins on screen, a smaller level), then at
   * 1:1 over the big image. */
  for (int pass = 0; pass < 2; pass++)
    {
      rl_image_view_zoom_at (RL_IMAGE_VIEW (view), pass == 0 ? 0.25 : 1.0, 700, 450);
      run_for (300);
      pan = (Pan) {
        gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scrolled)),
        gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)),
        now_us () + 5 * G_USEC_PER_SEC, 23.0,
      };
      g_array_set_size (frames.paint_us, 0);
      frames.recording = TRUE;
      gtk_widget_add_tick_callback (view, pan_tick, &pan, NULL);
      run_for (5200);
      frames.recording = FALSE;
      g_print ("pan_%s frames=%u paint_p50_ms=%.2f paint_p99_ms=%.2f paint_max_ms=%.2f\n",
               pass == 0 ? "25pct" : "1to1", frames.paint_us->len, percentile (frames.paint_us, 0.5),
               percentile (frames.paint_us, 0.99), percentile (frames.paint_us, 1.0));
    }
  g_print ("rss_after_pan_mib=%.0f\n", rss_mib ());

  /* Idle and connected: no tick callbacks, no animations, nothing sent. */
  run_for (2000);
  cpu0 = cpu_seconds ();
  t0 = now_us ();
  for (guint s = 0; s < idle_seconds; s++)
    {
      double before = cpu_seconds ();

      run_for (1000);
      if (g_getenv ("RL_BENCH_VERBOSE"))
        g_print ("idle second %u: %.1f ms CPU\n", s, (cpu_seconds () - before) * 1000);
    }
  g_print ("idle_seconds=%u idle_cpu_pct=%.3f\n", idle_seconds,
           100.0 * (cpu_seconds () - cpu0) / ((now_us () - t0) / 1e6));

  gtk_window_destroy (GTK_WINDOW (window));
  rl_connection_stop (connection);
  g_array_unref (frames.paint_us);
  rl_test_server_stop (server);
  return 0;
}
