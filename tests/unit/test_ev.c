/* SPDX-License-Identifier: ISC */
/* Unit tests for lib/ev: timer heap order and cancellation with an injected clock, fd events,
   removal of an io with events still queued in the batch, signals through signalfd. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/ev.h"

static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now;
}

struct rec {
	int order[64];
	int n;
};

struct tmr {
	struct ev_timer t;
	struct rec *rec;
	int id;
};

static void tmr_fire(struct ev_loop *loop, struct ev_timer *t)
{
	struct tmr *x = t->arg;

	(void)loop;
	x->rec->order[x->rec->n++] = x->id;
}

static void setup_loop(struct ev_loop *loop)
{
	assert_int_equal(ev_init(loop), 0);
	fake_now = 1000;
	loop->clock = fake_clock;
	ev_update_time(loop);
}

static void test_timers_fire_in_deadline_order(void **state)
{
	struct ev_loop loop;
	struct rec rec = {0};
	struct tmr t[20];
	/* Deadlines deliberately out of order, with duplicates. */
	const int delay[20] = {50, 10, 30, 10, 90, 70, 20, 60, 40, 80,
			       5,  15, 25, 35, 45, 55, 65, 75, 85, 95};

	(void)state;
	setup_loop(&loop);
	for (int i = 0; i < 20; i++) {
		t[i].rec = &rec;
		t[i].id = i;
		ev_timer_init(&t[i].t, tmr_fire, &t[i]);
		assert_int_equal(ev_timer_start(&loop, &t[i].t, (uint64_t)delay[i]), 0);
	}
	ev_timer_stop(&loop, &t[4].t);	/* cancel 90 */
	ev_timer_stop(&loop, &t[10].t); /* cancel the earliest, 5 */
	assert_false(ev_timer_active(&t[4].t));
	fake_now += 100;
	assert_int_equal(ev_run_once(&loop, 0), 0);
	assert_int_equal(rec.n, 18);
	for (int i = 1; i < rec.n; i++)
		assert_true(delay[rec.order[i - 1]] <= delay[rec.order[i]]);
	ev_free(&loop);
}

static void test_timer_not_due_does_not_fire(void **state)
{
	struct ev_loop loop;
	struct rec rec = {0};
	struct tmr t = {.rec = &rec, .id = 1};

	(void)state;
	setup_loop(&loop);
	ev_timer_init(&t.t, tmr_fire, &t);
	ev_timer_start(&loop, &t.t, 500);
	fake_now += 499;
	ev_run_once(&loop, 0);
	assert_int_equal(rec.n, 0);
	fake_now += 1;
	ev_run_once(&loop, 0);
	assert_int_equal(rec.n, 1);
	assert_false(ev_timer_active(&t.t));
	ev_free(&loop);
}

static void test_timer_restart_moves_deadline(void **state)
{
	struct ev_loop loop;
	struct rec rec = {0};
	struct tmr a = {.rec = &rec, .id = 1}, b = {.rec = &rec, .id = 2};

	(void)state;
	setup_loop(&loop);
	ev_timer_init(&a.t, tmr_fire, &a);
	ev_timer_init(&b.t, tmr_fire, &b);
	ev_timer_start(&loop, &a.t, 10);
	ev_timer_start(&loop, &b.t, 20);
	ev_timer_start(&loop, &a.t, 30); /* re-arm later than b */
	fake_now += 40;
	ev_run_once(&loop, 0);
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.order[0], 2);
	assert_int_equal(rec.order[1], 1);
	ev_free(&loop);
}

struct pipe_io {
	struct ev_io io;
	int fired;
	struct ev_io *victim; /* removed from inside the callback */
};

static void pipe_cb(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct pipe_io *p = io->arg;
	char c;

	(void)events;
	p->fired++;
	(void)!read(io->fd, &c, 1);
	if (p->victim)
		ev_io_del(loop, p->victim);
}

static void test_io_and_removal_within_batch(void **state)
{
	struct ev_loop loop;
	int a[2], b[2];
	struct pipe_io pa = {0}, pb = {0};

	(void)state;
	setup_loop(&loop);
	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	assert_int_equal(ev_io_add(&loop, &pa.io, a[0], EPOLLIN, pipe_cb, &pa), 0);
	assert_int_equal(ev_io_add(&loop, &pb.io, b[0], EPOLLIN, pipe_cb, &pb), 0);
	/* Both readable in one batch; whichever runs first removes the other. */
	pa.victim = &pb.io;
	pb.victim = &pa.io;
	assert_int_equal(write(a[1], "x", 1), 1);
	assert_int_equal(write(b[1], "y", 1), 1);
	assert_int_equal(ev_run_once(&loop, 1000), 0);
	assert_int_equal(pa.fired + pb.fired, 1);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	ev_free(&loop);
}

static void sig_cb(struct ev_loop *loop, int signo, void *arg)
{
	(void)loop;
	*(int *)arg = signo;
}

static void test_signal_through_signalfd(void **state)
{
	struct ev_loop loop;
	int got = 0, got2 = 0;

	(void)state;
	setup_loop(&loop);
	assert_int_equal(ev_signal_add(&loop, SIGUSR1, sig_cb, &got), 0);
	assert_int_equal(ev_signal_add(&loop, SIGUSR2, sig_cb, &got2), 0);
	raise(SIGUSR2);
	raise(SIGUSR1);
	for (int i = 0; i < 10 && (!got || !got2); i++)
		ev_run_once(&loop, 1000);
	assert_int_equal(got, SIGUSR1);
	assert_int_equal(got2, SIGUSR2);
	ev_free(&loop);
}

static int after_calls;

static void after_cb(struct ev_loop *loop, void *arg)
{
	(void)loop;
	(void)arg;
	after_calls++;
}

static void test_after_hook_and_no_wait(void **state)
{
	struct ev_loop loop;

	(void)state;
	setup_loop(&loop);
	ev_set_after(&loop, after_cb, NULL);
	ev_no_wait(&loop);
	/* With no_wait the -1 (infinite) timeout must not block. */
	assert_int_equal(ev_run_once(&loop, -1), 0);
	assert_int_equal(after_calls, 1);
	assert_false(loop.no_wait);
	ev_free(&loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timers_fire_in_deadline_order),
	    cmocka_unit_test(test_timer_not_due_does_not_fire),
	    cmocka_unit_test(test_timer_restart_moves_deadline),
	    cmocka_unit_test(test_io_and_removal_within_batch),
	    cmocka_unit_test(test_signal_through_signalfd),
	    cmocka_unit_test(test_after_hook_and_no_wait),
	};

	return cmocka_run_group_tests_name("ev", tests, NULL, NULL);
}
