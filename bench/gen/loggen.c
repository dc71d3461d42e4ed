/* loggen COUNT [LINE_BYTES [BARRIER_FIFO]]
 * Writes COUNT JSON lines like {"level":"info","msg":"hello world","i":123456}
 * to stdout as fast as it can, then exits 0. With LINE_BYTES > 0, each line is
 * padded (inside "msg") to exactly LINE_BYTES bytes including the newline.
 * With BARRIER_FIFO, it does not exit when done: it closes stdout, writes one byte to
 * the FIFO (read by `barrier`) and waits for a signal. Used under dinit, which stops
 * all programs as soon as one exits, so that 4 writers all finish. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[1 << 16];
static size_t used;

static void flush_all(void) {
  size_t off = 0;
  while (off < used) {
    ssize_t n = write(1, buf + off, used - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      _exit(2);
    }
    off += (size_t)n;
  }
  used = 0;
}

static void put(const char *s, size_t len) {
  while (len > 0) {
    size_t room = sizeof buf - used;
    size_t k = len < room ? len : room;
    memcpy(buf + used, s, k);
    used += k;
    s += k;
    len -= k;
    if (used == sizeof buf) flush_all();
  }
}

int main(int argc, char **argv) {
  long count = argc > 1 ? atol(argv[1]) : 1000000;
  long size = argc > 2 ? atol(argv[2]) : 0;
  static const char head[] = "{\"level\":\"info\",\"msg\":\"hello world";
  static const char mid[] = "\",\"i\":";
  char *pad = NULL;
  long padlen = 0;
  if (size > 0) {
    /* head + pad + mid + up to 7 digits + "}\n"; digits are zero-padded to 7 */
    padlen = size - (long)(sizeof head - 1) - (long)(sizeof mid - 1) - 7 - 2;
    if (padlen < 0) padlen = 0;
    pad = malloc((size_t)padlen + 1);
    memset(pad, 'x', (size_t)padlen);
  }
  char num[16];
  for (long i = 0; i < count; i++) {
    put(head, sizeof head - 1);
    if (padlen) put(pad, (size_t)padlen);
    put(mid, sizeof mid - 1);
    int n = 0;
    long v = i;
    char tmp[16];
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    if (size > 0) while (n < 7) tmp[n++] = '0';
    for (int k = 0; k < n; k++) num[k] = tmp[n - 1 - k];
    num[n] = '}';
    num[n + 1] = '\n';
    put(num, (size_t)n + 2);
  }
  flush_all();
  if (argc > 3) {
    close(1);
    int fd = open(argv[3], O_WRONLY);
    if (fd < 0 || write(fd, "x", 1) != 1) return 3;
    for (;;) pause();
  }
  return 0;
}
