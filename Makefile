# iphttps: one non-recursive GNU Makefile for the whole tree.
#
#   make            build the programs into build/
#   make demo       install missing packages, build, show a client reaching an intranet host
#   make check      install test packages, build with -Werror, run every test tier
#   make unit       cmocka unit tests          make asan      unit + netns under ASan/UBSan
#   make fuzz       libFuzzer, bounded time    make netns     end-to-end tests (root)
#   make conftest   configuration golden tests make bench     benchmarks (issue 6)

include mk/flags.mk

BUILD ?= build
B     := $(BUILD)

LIB_SRC   := $(wildcard lib/*.c) $(wildcard proto/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/obj/%.o)
LIBA      := $(B)/libiphttps.a
SSL_LIBS  := -lssl -lcrypto

# Each program: its own folder's sources plus the shared archive.
IPHTTPSD_OBJ   := $(patsubst %.c,$(B)/obj/%.o,$(wildcard iphttpsd/*.c))
IPHTTPSCTL_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(wildcard iphttpsctl/*.c))
IPHTTPS_OBJ    := $(patsubst %.c,$(B)/obj/%.o,$(wildcard iphttps/*.c))
PROGS := $(B)/iphttpsd $(B)/iphttpsctl $(B)/iphttps

all: $(PROGS)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/iphttpsd: $(IPHTTPSD_OBJ) $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(IPHTTPSD_OBJ) $(LIBA) $(SSL_LIBS)

$(B)/iphttps: $(IPHTTPS_OBJ) $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(IPHTTPS_OBJ) $(LIBA) $(SSL_LIBS)

$(B)/iphttpsctl: $(IPHTTPSCTL_OBJ) $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(IPHTTPSCTL_OBJ) $(LIBA)

# ---------------------------------------------------------------------------------------------
# Unit tests (cmocka). Each test links only the modules it exercises, as bgpd's unittests do,
# so a test names its dependencies here and a broken unrelated module cannot hide its result.
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
UNIT_DEPS_test_http1 := proto/http1
UNIT_DEPS_test_frame := proto/frame
UNIT_DEPS_test_ip6   := proto/ip6 proto/cksum
UNIT_DEPS_test_nd    := proto/nd proto/ip6 proto/cksum
UNIT_DEPS_test_link  := proto/link proto/nd proto/ip6 proto/acl proto/siphash proto/cksum
UNIT_DEPS_test_gwconf := iphttpsd/gwconf iphttpsd/gwconf_sec lib/conf lib/log lib/addr lib/file proto/acl proto/ip6 proto/ident proto/cksum
UNIT_DEPS_test_proxy2 := proto/proxy2
UNIT_DEPS_test_srclim := proto/srclim proto/siphash
UNIT_DEPS_test_siphash := proto/siphash
UNIT_DEPS_test_acl   := proto/acl proto/ip6 proto/cksum
UNIT_DEPS_test_ident := proto/ident
UNIT_DEPS_test_authz := iphttpsd/authz proto/ident
UNIT_DEPS_test_addr  := lib/addr
UNIT_DEPS_test_ev    := lib/ev lib/log
UNIT_DEPS_test_tls   := lib/tls lib/log lib/file
UNIT_DEPS_test_outq  := lib/outq
UNIT_DEPS_test_winerr := proto/winerr
UNIT_DEPS_test_backoff := proto/backoff
UNIT_DEPS_test_http1c := proto/http1
UNIT_DEPS_test_portproxy := iphttps/ppconf lib/addr lib/conf lib/log lib/file
UNIT_DEPS_test_relay := iphttps/relay lib/ev lib/log lib/addr lib/sock
UNIT_DEPS_test_url := iphttps/url
UNIT_DEPS_test_cl_ra := iphttps/cl_ra proto/nd proto/ip6 proto/cksum
UNIT_DEPS_test_stfile := iphttps/stfile iphttps/status proto/winerr lib/sbuf lib/file
UNIT_DEPS_test_sbuf  := lib/sbuf
UNIT_DEPS_test_sys   := lib/tun lib/nl lib/sysctl lib/sock
UNIT_DEPS_test_tlshello := proto/tlshello
UNIT_DEPS_test_probe := proto/probe proto/probe_sec proto/probe_http proto/winerr
UNIT_DEPS_test_gso   := proto/gso proto/ip6 proto/cksum
UNIT_DEPS_test_gro   := proto/gro proto/gso proto/ip6 proto/cksum
UNIT_LIBS_test_tls   := $(SSL_LIBS)
UNIT_LIBS_test_gwconf := $(SSL_LIBS)

.SECONDEXPANSION:
$(B)/tests/test_%: $(B)/obj/tests/unit/test_%.o $$(addprefix $(B)/obj/,$$(addsuffix .o,$$(UNIT_DEPS_test_$$*)))
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka $(UNIT_LIBS_test_$*)

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "== $$t"; $$t || fail=1; done; exit $$fail

# ---------------------------------------------------------------------------------------------
# Configuration golden tests: iphttpsd -nv output against tests/conf/*.ok, a re-parse of that
# output, the shipped example, and files that must be refused with the expected message.
conftest: $(B)/iphttpsd
	tests/conf/run.sh $(B)/iphttpsd

# ---------------------------------------------------------------------------------------------
# libFuzzer: one harness per parser of untrusted input, each run for FUZZ_SECONDS.
FUZZ_SECONDS ?= 20
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
FUZZ_DEPS_fuzz_http1 := proto/http1.c
FUZZ_DEPS_fuzz_frame := proto/frame.c
FUZZ_DEPS_fuzz_link  := proto/link.c proto/nd.c proto/ip6.c proto/acl.c proto/siphash.c proto/cksum.c
FUZZ_DEPS_fuzz_proxy2 := proto/proxy2.c
FUZZ_DEPS_fuzz_acl   := proto/acl.c proto/ip6.c proto/cksum.c
FUZZ_DEPS_fuzz_http1resp := proto/http1.c
FUZZ_DEPS_fuzz_cl_ra := iphttps/cl_ra.c proto/nd.c proto/ip6.c proto/cksum.c
FUZZ_DEPS_fuzz_gwconf := iphttpsd/gwconf.c iphttpsd/gwconf_sec.c lib/conf.c lib/log.c lib/addr.c lib/file.c proto/acl.c proto/ip6.c proto/ident.c proto/cksum.c
FUZZ_LIBS_fuzz_gwconf := $(SSL_LIBS)
FUZZ_DEPS_fuzz_tlshello := proto/tlshello.c
FUZZ_DEPS_fuzz_gso   := proto/gso.c proto/ip6.c proto/cksum.c
FUZZ_DEPS_fuzz_gro   := proto/gro.c proto/gso.c proto/ip6.c proto/cksum.c

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_DEPS_fuzz_$$*)
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZ_FLAGS) -o $@ $^ $(FUZZ_LIBS_fuzz_$*)

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
		n=$$(basename $$f); c=tests/fuzz/corpus/$${n#fuzz_}; mkdir -p $(B)/fuzz/work/$$n; \
		echo "== $$n ($(FUZZ_SECONDS)s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 \
			-artifact_prefix=$(B)/fuzz/$$n- \
			$(B)/fuzz/work/$$n $$c > $(B)/fuzz/$$n.log 2>&1 \
			|| { tail -40 $(B)/fuzz/$$n.log; exit 1; }; \
		grep -E 'stat::number_of_executed_units' $(B)/fuzz/$$n.log; \
	done

# ---------------------------------------------------------------------------------------------
# End-to-end tests in network namespaces (root). BIN selects the build to test.
netns: all
	tests/netns/run.sh $(abspath $(B))

asan:
	$(MAKE) BUILD=build/asan SAN=1 WERROR=$(WERROR) all unit
	tests/netns/run.sh $(abspath build/asan)

deps:
	tools/deps.sh check

demo:
	tools/deps.sh demo
	$(MAKE) all
	tests/netns/demo.sh $(abspath $(B))

check:
	tools/deps.sh check
	$(MAKE) format-check
	$(MAKE) WERROR=1 all
	$(MAKE) WERROR=1 unit
	$(MAKE) WERROR=1 conftest
	$(MAKE) WERROR=1 fuzz
	$(MAKE) WERROR=1 asan
	$(MAKE) WERROR=1 netns

# Layout is settled by .clang-format (clang-format 14, as on these machines), not by review.
format-check:
	@bad=$$(for f in $$(git ls-files '*.c' '*.h'); do clang-format "$$f" | cmp -s - "$$f" || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "not formatted (run: clang-format -i FILE):"; echo "$$bad"; exit 1; fi; \
	echo "format-check: all C files formatted"

# Every measurement of issue #6 in one run (root, several minutes): bench/results/<date>.json
# and BENCHMARKS.md. Not part of check: numbers are measured, not asserted.
bench:
	tools/deps.sh bench
	$(MAKE) all bench-build
	bench/run.sh $(abspath $(B))

# The load generator (issue 6): its own files, the pure modules from the archive, and the
# client's RA check, which lives with the client and is linked by its object.
LOADGEN_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(wildcard bench/loadgen*.c)) $(B)/obj/iphttps/cl_ra.o

$(B)/loadgen: $(LOADGEN_OBJ) $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $(LOADGEN_OBJ) $(LIBA) $(SSL_LIBS)

bench-build: $(B)/loadgen

.PHONY: bench-build

clean:
	rm -rf build

.PHONY: all unit conftest fuzz netns asan deps demo check bench clean format-check

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
