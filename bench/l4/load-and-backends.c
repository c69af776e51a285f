// The L4 comparison's load generator and its backends in one thread and one epoll loop.
//
// Why: with wrk and an nginx backend on the load CPU, that CPU costs ~31 µs per proxied request, more than any of
// the proxies measured spends on its own CPU (~23-26 µs), so the load CPU set the rate for all of them and the ratio
// read 1.00 whatever the proxies cost. One process doing both ends has no context switch between a load generator
// and a backend, and handles every ready socket of both ends in one epoll_wait.
//
// Clients speak HTTP/1.1 to TARGET (the proxy's TCP listener), one request in flight per connection, as wrk does;
// the backends answer 200 with a fixed body on each BACKEND address. With --close every request carries
// `Connection: close`: the client closes once it has the whole response and connects again, the backend closes
// after answering. Latency runs from the request's write to the response's last byte (wrk's definition).
//
// Output: wrk's lines that bench/lib.sh reads (Requests/sec, "N requests in", the 99% latency, socket errors,
// non-2xx answers). Bounded: DURATION seconds and at most MAX_REQUESTS requests, whichever comes first.
//
// usage: load-and-backends -c CONNECTIONS -d SECONDS [-n MAX_REQUESTS] [--close] TARGET BACKEND...
//        (addresses as 127.0.0.1:PORT; a backend's port may be 0, for the OS to choose). TARGET "self" sends the load
//        straight to the first backend: the load's own cost with no proxy between, and a check of the tool itself.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum role { LISTENER, CLIENT, SERVED };

struct conn {
  enum role role;
  int fd;
  int connecting;     // a client whose connect has not finished
  int waiting;        // a client whose request is out and not yet answered
  size_t have;        // bytes of the current message read so far
  uint64_t started;   // a client: when its request went out (µs)
  char buf[2048];
};

#define LATENCY_SLOTS 1000000  // 1 µs each up to 1 s; slower answers count in the last slot
static uint32_t latency[LATENCY_SLOTS];
static int epfd;
static int close_mode;
static struct sockaddr_in target;
static char request[256];
static size_t request_len;
static uint64_t max_requests = 100000000, in_flight;
static uint64_t requests, non2xx, err_connect, err_read, err_write, bytes_read;
static int served_open;  // backend connections the proxies hold open

static const char response_keep[] =
    "HTTP/1.1 200 OK\r\nServer: bench\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nContent-Type: text/plain\r\n"
    "Content-Length: 3\r\nConnection: keep-alive\r\n\r\nok\n";
static const char response_close[] =
    "HTTP/1.1 200 OK\r\nServer: bench\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nContent-Type: text/plain\r\n"
    "Content-Length: 3\r\nConnection: close\r\n\r\nok\n";

static uint64_t now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

static void die(const char *what) { perror(what); exit(1); }

static int parse_address(const char *text, struct sockaddr_in *out) {
  char host[64];
  const char *colon = strrchr(text, ':');
  if (!colon || (size_t)(colon - text) >= sizeof host) return -1;
  memcpy(host, text, (size_t)(colon - text));
  host[colon - text] = 0;
  memset(out, 0, sizeof *out);
  out->sin_family = AF_INET;
  out->sin_port = htons((uint16_t)atoi(colon + 1));
  return inet_pton(AF_INET, host, &out->sin_addr) == 1 ? 0 : -1;
}

static void watch(struct conn *c, int op, uint32_t events) {
  struct epoll_event ev = { .events = events, .data.ptr = c };
  if (epoll_ctl(epfd, op, c->fd, &ev) < 0) die("epoll_ctl");
}

static void send_request(struct conn *c);

// A client connection, new or again: connect, and write the request as soon as the socket allows.
static void client_connect(struct conn *c) {
  int one = 1;
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (c->fd < 0) die("socket");
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->have = 0;
  if (connect(c->fd, (struct sockaddr *)&target, sizeof target) == 0) {
    c->connecting = 0;
    watch(c, EPOLL_CTL_ADD, EPOLLIN);
    send_request(c);
  } else if (errno == EINPROGRESS) {
    c->connecting = 1;
    watch(c, EPOLL_CTL_ADD, EPOLLOUT);
  } else {
    die("connect");
  }
}

static void client_restart(struct conn *c) {
  if (c->waiting) { c->waiting = 0; in_flight--; }
  close(c->fd);  // leaves the epoll set with it
  client_connect(c);
}

// At most MAX_REQUESTS are ever sent, so that the count is exact: a connection past it stays quiet.
static void send_request(struct conn *c) {
  if (requests + in_flight >= max_requests) return;
  ssize_t n = write(c->fd, request, request_len);
  if (n != (ssize_t)request_len) { err_write++; client_restart(c); return; }
  c->have = 0;
  c->started = now_us();
  c->waiting = 1;
  in_flight++;
}

// The length of a whole response in buf (head and Content-Length body), or 0 while it is not all there.
static size_t whole_response(const char *buf, size_t have) {
  const char *end = memmem(buf, have, "\r\n\r\n", 4);
  if (!end) return 0;
  size_t head = (size_t)(end - buf) + 4, body = 0;
  const char *cl = memmem(buf, head, "Content-Length:", 15);
  if (cl) body = (size_t)strtoul(cl + 15, NULL, 10);
  return have >= head + body ? head + body : 0;
}

static void client_readable(struct conn *c) {
  ssize_t n = read(c->fd, c->buf + c->have, sizeof c->buf - 1 - c->have);
  if (n <= 0) {
    if (n < 0 && errno == EAGAIN) return;
    err_read++;
    client_restart(c);
    return;
  }
  c->have += (size_t)n;
  bytes_read += (uint64_t)n;
  size_t whole = whole_response(c->buf, c->have);
  if (!whole) {
    if (c->have >= sizeof c->buf - 1) { err_read++; client_restart(c); }
    return;
  }
  c->waiting = 0;
  in_flight--;
  uint64_t took = now_us() - c->started;
  latency[took < LATENCY_SLOTS ? took : LATENCY_SLOTS - 1]++;
  requests++;
  if (c->have < 12 || c->buf[9] != '2') non2xx++;
  if (close_mode) client_restart(c);
  else send_request(c);
}

static void client_writable(struct conn *c) {
  int error = 0;
  socklen_t len = sizeof error;
  getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &len);
  if (error) { err_connect++; client_restart(c); return; }
  c->connecting = 0;
  watch(c, EPOLL_CTL_MOD, EPOLLIN);
  send_request(c);
}

static void backend_accept(struct conn *listener) {
  for (;;) {
    int fd = accept4(listener->fd, NULL, NULL, SOCK_NONBLOCK);
    if (fd < 0) return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = calloc(1, sizeof *c);
    if (!c) die("calloc");
    c->role = SERVED;
    c->fd = fd;
    served_open++;
    watch(c, EPOLL_CTL_ADD, EPOLLIN);
  }
}

static void served_close(struct conn *c) {
  close(c->fd);
  free(c);
  served_open--;
}

// The backend: answers each whole request head; closes after answering one that asked for it.
static void served_readable(struct conn *c) {
  ssize_t n = read(c->fd, c->buf + c->have, sizeof c->buf - 1 - c->have);
  if (n <= 0) {
    if (n < 0 && errno == EAGAIN) return;
    served_close(c);
    return;
  }
  c->have += (size_t)n;
  c->buf[c->have] = 0;
  const char *end = memmem(c->buf, c->have, "\r\n\r\n", 4);
  if (!end) {
    if (c->have >= sizeof c->buf - 1) served_close(c);
    return;
  }
  size_t head = (size_t)(end - c->buf) + 4;
  int closing = memmem(c->buf, head, "Connection: close", 17) != NULL;
  const char *answer = closing ? response_close : response_keep;
  size_t len = closing ? sizeof response_close - 1 : sizeof response_keep - 1;
  if (write(c->fd, answer, len) != (ssize_t)len || closing) { served_close(c); return; }
  memmove(c->buf, c->buf + head, c->have - head);
  c->have -= head;
}

// One turn of the loop: waits up to TIMEOUT_MS for ready sockets and serves each; returns how many there were.
// A closed client has left the epoll set with its descriptor, so after the run only backends turn up here.
static int turn(int timeout_ms) {
  struct epoll_event events[256];
  int n = epoll_wait(epfd, events, 256, timeout_ms);
  if (n < 0 && errno != EINTR) die("epoll_wait");
  for (int k = 0; k < n; k++) {
    struct conn *c = events[k].data.ptr;
    if (c->role == LISTENER) backend_accept(c);
    else if (c->role == SERVED) served_readable(c);
    else if (c->connecting) client_writable(c);
    else client_readable(c);
  }
  return n < 0 ? 0 : n;
}

static void print_latency(double percent, uint64_t total) {
  uint64_t want = (uint64_t)(total * percent / 100.0 + 0.999999), seen = 0;
  for (size_t us = 0; us < LATENCY_SLOTS; us++) {
    seen += latency[us];
    if (seen >= want && want > 0) {
      if (us < 1000) printf("  %5.0f%%  %.2fus\n", percent, (double)us);
      else printf("  %5.0f%%  %.2fms\n", percent, us / 1000.0);
      return;
    }
  }
  printf("  %5.0f%%  nan\n", percent);
}

int main(int argc, char **argv) {
  int connections = 32;
  double seconds = 10;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (!strcmp(argv[i], "-c") && i + 1 < argc) connections = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-d") && i + 1 < argc) seconds = atof(argv[++i]);
    else if (!strcmp(argv[i], "-n") && i + 1 < argc) max_requests = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--close")) close_mode = 1;
    else { fprintf(stderr, "unknown argument %s\n", argv[i]); return 2; }
  }
  int self = !strcmp(argv[i], "self");
  if (argc - i < 2 || connections < 1 || seconds <= 0 || (!self && parse_address(argv[i], &target) < 0)) {
    fprintf(stderr, "usage: load-and-backends -c CONNECTIONS -d SECONDS [-n MAX_REQUESTS] [--close] TARGET BACKEND...\n");
    return 2;
  }
  request_len = (size_t)snprintf(request, sizeof request, "GET / HTTP/1.1\r\nHost: %s\r\n%s\r\n", argv[i],
                                 close_mode ? "Connection: close\r\n" : "");
  epfd = epoll_create1(0);
  if (epfd < 0) die("epoll_create1");

  for (int b = i + 1; b < argc; b++) {
    struct sockaddr_in address;
    int one = 1;
    if (parse_address(argv[b], &address) < 0) { fprintf(stderr, "bad backend address %s\n", argv[b]); return 2; }
    struct conn *l = calloc(1, sizeof *l);
    if (!l) die("calloc");
    l->role = LISTENER;
    l->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(l->fd, (struct sockaddr *)&address, sizeof address) < 0) die(argv[b]);
    if (listen(l->fd, 4096) < 0) die("listen");
    watch(l, EPOLL_CTL_ADD, EPOLLIN);
    socklen_t len = sizeof target;
    if (self && b == i + 1 && getsockname(l->fd, (struct sockaddr *)&target, &len) < 0) die("getsockname");
  }

  struct conn *clients = calloc((size_t)connections, sizeof *clients);
  if (!clients) die("calloc");
  uint64_t start = now_us(), deadline = start + (uint64_t)(seconds * 1e6);
  for (int k = 0; k < connections; k++) { clients[k].role = CLIENT; client_connect(&clients[k]); }

  uint64_t now = start;
  while (now < deadline && requests < max_requests) {
    turn(100);
    now = now_us();
  }
  double took = (now - start) / 1e6;

  // The clients go first and the backends stay until the proxies have let go of them: a backend that vanished under a
  // connect in flight would count as a failure with nginx (max_fails), which then refuses the next run for 10 s.
  for (int k = 0; k < connections; k++) close(clients[k].fd);
  uint64_t quiet_since = now_us(), give_up = quiet_since + 5000000u;
  for (now = quiet_since; now < give_up && (served_open > 0 || now - quiet_since < 200000u); now = now_us())
    if (turn(50) > 0) quiet_since = now_us();

  printf("Running %.0fs test @ %s\n  1 threads and %d connections\n", seconds, argv[i], connections);
  printf("  Latency Distribution\n");
  print_latency(50, requests);
  print_latency(75, requests);
  print_latency(90, requests);
  print_latency(99, requests);
  printf("  %llu requests in %.2fs, %.2fMB read\n", (unsigned long long)requests, took, bytes_read / 1048576.0);
  if (err_connect + err_read + err_write)
    printf("  Socket errors: connect %llu, read %llu, write %llu, timeout 0\n", (unsigned long long)err_connect,
           (unsigned long long)err_read, (unsigned long long)err_write);
  if (non2xx) printf("  Non-2xx or 3xx responses: %llu\n", (unsigned long long)non2xx);
  printf("Requests/sec: %.2f\n", requests / took);
  return 0;
}
