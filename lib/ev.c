/* SPDX-License-Identifier: ISC */
/*
 * ev: epoll loop with a binary min-heap of timers (O(log n) arm/cancel, so 100,000 connections
 * each with their own timeout stay cheap, issue #6) and signalfd for signals, so no signal
 * handler ever runs asynchronously and no global flag is needed.
 */
#include "lib/ev.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

static uint64_t ev_clock_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int ev_init(struct ev_loop *loop)
{
	memset(loop, 0, sizeof(*loop));
	loop->sigfd = -1;
	loop->clock = ev_clock_monotonic;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd == -1)
		return -1;
	ev_update_time(loop);
	return 0;
}

void ev_free(struct ev_loop *loop)
{
	if (loop->sigfd != -1)
		close(loop->sigfd);
	if (loop->epfd != -1)
		close(loop->epfd);
	free(loop->heap);
	loop->heap = NULL;
	loop->epfd = loop->sigfd = -1;
}

uint64_t ev_now(const struct ev_loop *loop)
{
	return loop->now_ms;
}

void ev_update_time(struct ev_loop *loop)
{
	loop->now_ms = loop->clock();
}

int ev_io_add(struct ev_loop *loop, struct ev_io *io, int fd, uint32_t events, ev_io_cb *cb,
	      void *arg)
{
	struct epoll_event ee = {.events = events, .data.ptr = io};

	io->fd = fd;
	io->events = events;
	io->cb = cb;
	io->arg = arg;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ee) == -1)
		return -1;
	io->active = true;
	return 0;
}

int ev_io_mod(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct epoll_event ee = {.events = events, .data.ptr = io};

	if (!io->active)
		return -1;
	if (io->events == events)
		return 0;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, io->fd, &ee) == -1)
		return -1;
	io->events = events;
	return 0;
}

void ev_io_del(struct ev_loop *loop, struct ev_io *io)
{
	if (!io->active)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	io->active = false;
	/* Events for this io still queued in the current batch must not reach a freed object. */
	for (int i = loop->ibatch; i < loop->nbatch; i++)
		if (loop->batch[i].data.ptr == io)
			loop->batch[i].data.ptr = NULL;
}

/* ---- timers: binary min-heap on when_ms ---- */

static void ev_heap_swap(struct ev_loop *loop, size_t a, size_t b)
{
	struct ev_timer *t = loop->heap[a];

	loop->heap[a] = loop->heap[b];
	loop->heap[b] = t;
	loop->heap[a]->idx = a;
	loop->heap[b]->idx = b;
}

static void ev_heap_up(struct ev_loop *loop, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (loop->heap[parent]->when_ms <= loop->heap[i]->when_ms)
			break;
		ev_heap_swap(loop, i, parent);
		i = parent;
	}
}

static void ev_heap_down(struct ev_loop *loop, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < loop->nheap && loop->heap[l]->when_ms < loop->heap[m]->when_ms)
			m = l;
		if (r < loop->nheap && loop->heap[r]->when_ms < loop->heap[m]->when_ms)
			m = r;
		if (m == i)
			return;
		ev_heap_swap(loop, i, m);
		i = m;
	}
}

void ev_timer_init(struct ev_timer *t, ev_timer_cb *cb, void *arg)
{
	t->when_ms = 0;
	t->idx = SIZE_MAX;
	t->cb = cb;
	t->arg = arg;
}

bool ev_timer_active(const struct ev_timer *t)
{
	return t->idx != SIZE_MAX;
}

void ev_timer_stop(struct ev_loop *loop, struct ev_timer *t)
{
	size_t i = t->idx;

	if (i == SIZE_MAX)
		return;
	loop->nheap--;
	if (i != loop->nheap) {
		loop->heap[i] = loop->heap[loop->nheap];
		loop->heap[i]->idx = i;
		ev_heap_up(loop, i);
		ev_heap_down(loop, loop->heap[i]->idx);
	}
	t->idx = SIZE_MAX;
}

int ev_timer_start(struct ev_loop *loop, struct ev_timer *t, uint64_t delay_ms)
{
	ev_timer_stop(loop, t);
	if (loop->nheap == loop->capheap) {
		size_t cap = loop->capheap ? loop->capheap * 2 : 64;
		struct ev_timer **h = realloc(loop->heap, cap * sizeof(*h));

		if (!h)
			return -1;
		loop->heap = h;
		loop->capheap = cap;
	}
	t->when_ms = loop->now_ms + delay_ms;
	t->idx = loop->nheap;
	loop->heap[loop->nheap++] = t;
	ev_heap_up(loop, t->idx);
	return 0;
}

static void ev_run_timers(struct ev_loop *loop)
{
	/* Bounded: a timer re-armed with delay 0 runs on the next iteration, not in this one. */
	size_t budget = loop->nheap;

	while (budget-- > 0 && loop->nheap > 0 && loop->heap[0]->when_ms <= loop->now_ms) {
		struct ev_timer *t = loop->heap[0];

		ev_timer_stop(loop, t);
		t->cb(loop, t);
	}
}

static int ev_next_timeout(const struct ev_loop *loop, int timeout_ms)
{
	uint64_t d;

	if (loop->nheap == 0)
		return timeout_ms;
	if (loop->heap[0]->when_ms <= loop->now_ms)
		return 0;
	d = loop->heap[0]->when_ms - loop->now_ms;
	if (d > INT32_MAX)
		d = INT32_MAX;
	if (timeout_ms >= 0 && (uint64_t)timeout_ms < d)
		return timeout_ms;
	return (int)d;
}

/* ---- signals ---- */

static void ev_signal_read(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	/* Bounded by the number of pending signals; the fd is non-blocking. */
	for (int n = 0; n < 64 && read(io->fd, &si, sizeof(si)) == (ssize_t)sizeof(si); n++)
		for (size_t i = 0; i < loop->nsigs; i++)
			if (loop->sigs[i].signo == (int)si.ssi_signo)
				loop->sigs[i].cb(loop, (int)si.ssi_signo, loop->sigs[i].arg);
}

int ev_signal_add(struct ev_loop *loop, int signo, ev_signal_cb *cb, void *arg)
{
	sigset_t set;

	if (loop->nsigs == EV_MAX_SIGNALS) {
		errno = ENOSPC;
		return -1;
	}
	sigemptyset(&set);
	for (size_t i = 0; i < loop->nsigs; i++)
		sigaddset(&set, loop->sigs[i].signo);
	sigaddset(&set, signo);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	if (loop->sigfd != -1) {
		/* Widen the existing signalfd's mask. */
		if (signalfd(loop->sigfd, &set, SFD_NONBLOCK | SFD_CLOEXEC) == -1)
			return -1;
	} else {
		loop->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
		if (loop->sigfd == -1 ||
		    ev_io_add(loop, &loop->sigio, loop->sigfd, EPOLLIN, ev_signal_read, NULL) == -1)
			return -1;
	}
	loop->sigs[loop->nsigs++] = (struct ev_sig){signo, cb, arg};
	return 0;
}

void ev_no_wait(struct ev_loop *loop)
{
	loop->no_wait = true;
}

void ev_set_after(struct ev_loop *loop, ev_hook_cb *cb, void *arg)
{
	loop->after = cb;
	loop->after_arg = arg;
}

/* ---- dispatch ---- */

int ev_run_once(struct ev_loop *loop, int timeout_ms)
{
	int n;

	if (loop->no_wait) {
		timeout_ms = 0;
		loop->no_wait = false;
	}
	n = epoll_wait(loop->epfd, loop->batch, EV_BATCH, ev_next_timeout(loop, timeout_ms));

	if (n == -1 && errno != EINTR)
		return -1;
	ev_update_time(loop);
	loop->nbatch = n > 0 ? n : 0;
	for (loop->ibatch = 0; loop->ibatch < loop->nbatch;) {
		struct epoll_event *e = &loop->batch[loop->ibatch++];
		struct ev_io *io = e->data.ptr;

		if (io)
			io->cb(loop, io, e->events);
	}
	loop->nbatch = loop->ibatch = 0;
	ev_run_timers(loop);
	if (loop->after)
		loop->after(loop, loop->after_arg);
	return 0;
}

int ev_run(struct ev_loop *loop)
{
	loop->stop = false;
	while (!loop->stop)
		if (ev_run_once(loop, -1) == -1)
			return -1;
	return 0;
}

void ev_stop(struct ev_loop *loop)
{
	loop->stop = true;
}
