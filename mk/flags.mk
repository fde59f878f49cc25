# Build policy in one place: language level, warnings, hardening, sanitizers.
# Included by the top-level Makefile; every object in the tree gets these flags.

CC       ?= cc
CSTD     := -std=c17 -D_GNU_SOURCE
WARN     := -Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual -Wstrict-prototypes \
            -Wmissing-prototypes -Wmissing-declarations -Wformat=2 -Wimplicit-fallthrough \
            -Wundef -Wvla -Wwrite-strings -Wold-style-definition -Wredundant-decls
HARDEN   := -fstack-protector-strong -fPIE
LDHARDEN := -pie -Wl,-z,relro,-z,now

ifeq ($(WERROR),1)
WARN += -Werror
endif

# SAN=1: AddressSanitizer + UndefinedBehaviorSanitizer, aborting on the first report so a
# test cannot pass over undefined behaviour. FORTIFY is left out: it hides overflows from ASan.
ifeq ($(SAN),1)
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDSAN    := -fsanitize=address,undefined
else
OPT      := -O2 -g -D_FORTIFY_SOURCE=3
LDSAN    :=
endif

CFLAGS   ?=
LDFLAGS  ?=
ALL_CFLAGS  = $(CSTD) $(OPT) $(WARN) $(HARDEN) -I. -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(LDHARDEN) $(LDSAN) $(LDFLAGS)

# libFuzzer harnesses need clang; they link the modules they test with ASan and UBSan.
FUZZCC     ?= clang
FUZZ_FLAGS := $(CSTD) -g -O1 -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
