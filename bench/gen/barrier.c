/* barrier FIFO N: reads N bytes from FIFO (one per finished `loggen ... FIFO`), then
 * exits 0. It opens the FIFO read-write, so it never sees EOF while writers come and go. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int n = atoi(argv[2]);
  int fd = open(argv[1], O_RDWR);
  if (fd < 0) return 1;
  char buf[64];
  while (n > 0) {
    ssize_t k = read(fd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf);
    if (k <= 0) return 1;
    n -= (int)k;
  }
  return 0;
}
