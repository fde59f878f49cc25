/* SPDX-License-Identifier: ISC */
/*
 * ev: the epoll event loop (Redis ae in spirit): fd events, monotonic timers in a binary heap,
 * signals through signalfd, and an after-batch hook. All state lives in struct ev_loop; the
 * caller embeds struct ev_io and struct ev_timer in its own objects, so the loop allocates only
 * its heap array and never per event.
 *
 * Objects freed from inside a callback: epoll may still hold events for them in the current
 * batch. The loop clears pending events of an ev_io removed with ev_io_del, so the caller may
 * free it right after ev_io_del returns.
 */
#ifndef LIB_EV_H
#define LIB_EV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

struct ev_loop;
struct ev_io;
struct ev_timer;

typedef void ev_io_cb(struct ev_loop *loop, struct ev_io *io, uint32_t events);
typedef void ev_timer_cb(struct ev_loop *loop, struct ev_timer *t);
typedef void ev_signal_cb(struct ev_loop *loop, int signo, void *arg);
typedef void ev_hook_cb(struct ev_loop *loop, void *arg);

struct ev_io {
	int fd;
	uint32_t events; /* EPOLLIN / EPOLLOUT as registered */
	ev_io_cb *cb;
	void *arg;
	bool active;
};

struct ev_timer {
	uint64_t when_ms; /* absolute, on the loop's monotonic clock */
	size_t idx;	  /* position in the heap; SIZE_MAX when not armed */
	ev_timer_cb *cb;
	void *arg;
};

#define EV_MAX_SIGNALS 8
#define EV_BATCH       256

struct ev_sig {
	int signo;
	ev_signal_cb *cb;
	void *arg;
};

struct ev_loop {
	int epfd;
	int sigfd;
	struct ev_io sigio;
	struct ev_sig sigs[EV_MAX_SIGNALS];
	size_t nsigs;
	struct ev_timer **heap;
	size_t nheap, capheap;
	uint64_t now_ms;
	struct epoll_event batch[EV_BATCH];
	int nbatch, ibatch; /* events of the batch being dispatched */
	ev_hook_cb *after;  /* called after each batch, before sleeping */
	void *after_arg;
	bool stop;
	bool no_wait; /* work is pending outside epoll: poll without sleeping once */
	/* Clock source, replaceable by tests. Returns monotonic milliseconds. */
	uint64_t (*clock)(void);
};

int ev_init(struct ev_loop *loop);
void ev_free(struct ev_loop *loop);
uint64_t ev_now(const struct ev_loop *loop);
/* Refreshes the cached time from the clock source. */
void ev_update_time(struct ev_loop *loop);

int ev_io_add(struct ev_loop *loop, struct ev_io *io, int fd, uint32_t events, ev_io_cb *cb,
	      void *arg);
int ev_io_mod(struct ev_loop *loop, struct ev_io *io, uint32_t events);
void ev_io_del(struct ev_loop *loop, struct ev_io *io);

void ev_timer_init(struct ev_timer *t, ev_timer_cb *cb, void *arg);
/* Arms (or re-arms) the timer to fire delay_ms from now. */
int ev_timer_start(struct ev_loop *loop, struct ev_timer *t, uint64_t delay_ms);
void ev_timer_stop(struct ev_loop *loop, struct ev_timer *t);
bool ev_timer_active(const struct ev_timer *t);

/* Blocks signo and delivers it through signalfd to cb on the loop. */
int ev_signal_add(struct ev_loop *loop, int signo, ev_signal_cb *cb, void *arg);
void ev_set_after(struct ev_loop *loop, ev_hook_cb *cb, void *arg);
/* The next iteration must not sleep: work is pending that epoll cannot see (e.g. bytes already
   decrypted inside OpenSSL, which epoll never reports). */
void ev_no_wait(struct ev_loop *loop);

/* Runs one iteration, waiting at most timeout_ms (-1: until the next timer or event). */
int ev_run_once(struct ev_loop *loop, int timeout_ms);
/* Runs until ev_stop. Returns 0, or -1 if epoll_wait failed. */
int ev_run(struct ev_loop *loop);
void ev_stop(struct ev_loop *loop);

#endif
