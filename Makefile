# xsk-devmem: one entry point for build, tests, demo and the patch series.
# `make help` lists the targets. Everything installs its own dependencies
# from Debian (scripts/deps.sh) and builds into $(O) (default: build/).

O       ?= build
KCONFIG ?= default
V       ?= 0

CC      ?= gcc
CLANG   ?= clang

TOP     := $(CURDIR)
UAPI    := $(O)/uapi/include
BPFINC  := $(O)/libbpf/include

# User space: C11, warnings are errors; the 6.12 UAPI headers of our patched
# tree come first, since Debian's linux-libc-dev is 6.1. Only test programs
# get TEST_INC: the product (library, tool) cannot include test code.
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	   -isystem $(UAPI) -Iinclude -D_GNU_SOURCE
TEST_INC := -Iselftests/lib
LDLIBS_XDP := -lxdp -lbpf -lelf -lz

# BPF: clang -target bpf, UAPI from the patched tree, bpf_helpers.h from the
# tree's tools/lib/bpf (newer than Debian's libbpf 1.1: bpf_ksym_exists()).
BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	      -isystem $(UAPI) -isystem $(BPFINC) -Ibpf

ifeq ($(V),0)
Q = @
msg = @printf '  %-8s %s\n' $(1) $(2);
else
Q =
msg =
endif

KERNEL_INPUTS := $(shell find kernel scripts/kernel.sh -type f)

.PHONY: all deps kernel headers bpf user selftests test host-test vm-test \
	demo patches xsk-reference bench clean help

all: bpf user selftests

help:
	@echo "make              build BPF objects, library, tools and test programs"
	@echo "make test         host tests + VM tests on the patched kernel"
	@echo "make demo         boot the patched kernel and run the demo"
	@echo "make kernel       build the patched 6.12 guest kernel (KCONFIG=default|debug|base)"
	@echo "make vm-test      VM tests only (VM_TESTS='vm/x.sh ...' to pick some)"
	@echo "make host-test    host tests only"
	@echo "make patches      kernel series as git format-patch + checkpatch --strict,"
	@echo "                  then every patch built on its own (W=1, sparse)"
	@echo "make xsk-reference  the tree's xskxceiver on the unpatched kernel (KCONFIG=base)"
	@echo "make ncdevmem     the tree's devmem TCP tool and ynl CLI, into build/ncdevmem"
	@echo "make hardening    long hardening runs: libFuzzer on the parser (FUZZ_TIME=s, 1200)"
	@echo "make bench        benchmarks (not tests)"
	@echo "make bench-lib    library ring benchmark only (no kernel, no VM)"
	@echo "make bench-rx     receive path in the guest: AF_XDP copy vs dmabuf copy/zero copy vs devmem TCP"
	@echo "make install      library, header, pkg-config file, steer.bpf.o and tool (PREFIX=/usr/local)"

deps:
	$(Q)scripts/deps.sh

kernel: deps
	$(Q)scripts/kernel.sh build $(KCONFIG) >/dev/null

# The kernel tree's AF_XDP selftest (xskxceiver), built against the series;
# the guest runs it (vm/xskxceiver.sh).
kselftest-xsk: deps kernel
	$(Q)scripts/kernel.sh xsk-selftest $(O)/kselftest-xsk $(KCONFIG)
.PHONY: kselftest-xsk

# The kernel tree's devmem TCP tool (ncdevmem, with the tree's ynl library)
# and a copy of the tree's ynl CLI for the guest's netdev dumps (nsim_ynl
# in selftests/lib/nsim.sh), built out of the tree into $(O)/ncdevmem; the
# guest runs them (vm/ncdevmem.sh, vm/nsim_hds.sh). No kernel build needed.
ncdevmem: deps
	$(Q)scripts/kernel.sh ncdevmem $(O)/ncdevmem $(KCONFIG)
.PHONY: ncdevmem

# UAPI and libbpf headers of the patched tree, rebuilt when kernel/ changes.
headers: $(O)/uapi/.stamp
$(O)/uapi/.stamp: $(KERNEL_INPUTS) | deps
	$(call msg,HEADERS,$(O)/uapi)
	$(Q)scripts/kernel.sh headers $(O)/uapi $(O)/libbpf
	$(Q)touch $@

# --- BPF objects ---------------------------------------------------------
BPF_SRCS := $(wildcard bpf/*.bpf.c selftests/bpf/*.bpf.c)
BPF_OBJS := $(patsubst %.bpf.c,$(O)/%.bpf.o,$(BPF_SRCS))
bpf: $(BPF_OBJS)
$(O)/%.bpf.o: %.bpf.c $(O)/uapi/.stamp
	$(call msg,CLANG-BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -c $< -o $@

# nsim_xdp.bpf.c once more without xdp.frags: the program the reference
# driver must give whole frames linear and refuse above a page-size MTU
# (vm/nsim_xdp.sh).
bpf: $(O)/selftests/bpf/nsim_xdp_nofrags.bpf.o
$(O)/selftests/bpf/nsim_xdp_nofrags.bpf.o: BPF_CFLAGS += -DNSIM_XDP_NOFRAGS
$(O)/selftests/bpf/nsim_xdp_nofrags.bpf.o: selftests/bpf/nsim_xdp.bpf.c $(O)/uapi/.stamp
	$(call msg,CLANG-BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -c $< -o $@

# --- steer: BPF include path and policy objects (issue 4) ----------------
# The ABI header include/xsk_steer.h is shared by BPF and user space.
BPF_CFLAGS += -Iinclude
STEER_POLICY_SRCS := $(wildcard bpf/policies/*.bpf.c)
STEER_POLICY_OBJS := $(patsubst %.bpf.c,$(O)/%.bpf.o,$(STEER_POLICY_SRCS)) \
		     $(patsubst %.bpf.c,$(O)/%_meta.bpf.o,$(STEER_POLICY_SRCS))
bpf: $(STEER_POLICY_OBJS) $(O)/bpf/steer_meta.bpf.o
# steer.bpf.o calls no packet-changing helper, so that libxdp 1.3.1's
# dispatcher takes it on kernels that check it; the _meta builds of steer
# and of each policy add metadata and tail-call policy slots, for a program
# alone on an interface (bpf/xsk_steer.bpf.h explains).
$(O)/bpf/steer_meta.bpf.o $(O)/bpf/policies/%_meta.bpf.o: \
		BPF_CFLAGS += -DXSK_STEER_META=1
$(O)/bpf/steer_meta.bpf.o: bpf/steer.bpf.c $(O)/uapi/.stamp
	$(call msg,CLANG-BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -c $< -o $@
$(O)/bpf/policies/%_meta.bpf.o: bpf/policies/%.bpf.c $(O)/uapi/.stamp
	$(call msg,CLANG-BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -c $< -o $@

# --- user space: library and tools ----------------------------------------
user:

# --- libxsk-devmem (issue 6) -----------------------------------------------
# user/xsk_devmem*.c is the library: built once with -fPIC into a static
# archive and a shared object whose exported set is user/libxsk-devmem.map
# (symbol versions). `make install PREFIX=... [DESTDIR=...]` installs it
# with include/xsk_devmem.h, a pkg-config file, steer.bpf.o and the tool.
LIB_VERSION := 0.2.0
LIB_SONAME  := libxsk-devmem.so.0
PREFIX      ?= /usr/local
LIBDIR      ?= $(PREFIX)/lib
LIB_SRCS    := $(wildcard user/xsk_devmem*.c)
LIB_OBJS    := $(patsubst %.c,$(O)/lib/%.o,$(LIB_SRCS))
LIB_A       := $(O)/lib/libxsk-devmem.a
LIB_SO      := $(O)/lib/libxsk-devmem.so.$(LIB_VERSION)
LIB_LDLIBS  := -lbpf -lelf -lz -lpthread
LIB_CFLAGS   = $(CFLAGS) -fPIC -Iuser \
	       -DXSK_DEVMEM_STEER_OBJ='"$(LIBDIR)/xsk-devmem/steer.bpf.o"'
lib: $(LIB_A) $(LIB_SO) $(O)/lib/libxsk-devmem.pc
user: lib
$(O)/lib/%.o: %.c $(O)/uapi/.stamp
	$(call msg,CC-LIB,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(LIB_CFLAGS) -MMD -c $< -o $@
$(LIB_A): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^
$(LIB_SO): $(LIB_OBJS) user/libxsk-devmem.map
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -shared -Wl,-soname,$(LIB_SONAME) \
		-Wl,--version-script=user/libxsk-devmem.map $(LIB_OBJS) -o $@ $(LIB_LDLIBS)
	$(Q)ln -sf $(notdir $@) $(O)/lib/$(LIB_SONAME)
	$(Q)ln -sf $(LIB_SONAME) $(O)/lib/libxsk-devmem.so
$(O)/lib/libxsk-devmem.pc: user/libxsk-devmem.pc.in Makefile
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@VERSION@|$(LIB_VERSION)|' $< > $@

install: all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(LIBDIR)/xsk-devmem $(DESTDIR)$(PREFIX)/bin
	$(Q)install -m 644 include/xsk_devmem.h $(DESTDIR)$(PREFIX)/include/
	$(Q)install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	$(Q)install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	$(Q)ln -sf $(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	$(Q)ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libxsk-devmem.so
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@VERSION@|$(LIB_VERSION)|' user/libxsk-devmem.pc.in \
		> $(DESTDIR)$(LIBDIR)/pkgconfig/libxsk-devmem.pc
	$(Q)install -m 644 $(O)/bpf/steer.bpf.o $(O)/bpf/steer_meta.bpf.o \
		$(DESTDIR)$(LIBDIR)/xsk-devmem/
	$(Q)install -m 755 $(O)/user/xsk-devmem $(DESTDIR)$(PREFIX)/bin/


# --- steer: the xsk-devmem tool (issue 4 adds the steer family) ----------
# main() in user/xsk-devmem.c dispatches to one file per family.
# The tool links the static library (issue 6); user/pattern.c is the
# payload pattern of `rx --verify`, which the tests and examples use too.
XSK_TOOL_OBJS := $(patsubst %.c,$(O)/%.o,$(filter-out $(LIB_SRCS),$(wildcard user/*.c)))
PATTERN_OBJ := $(O)/user/pattern.o
user: $(O)/user/xsk-devmem
$(O)/user/%.o: user/%.c $(O)/uapi/.stamp
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -Iuser -MMD -c $< -o $@
$(O)/user/xsk-devmem: $(XSK_TOOL_OBJS) $(LIB_A)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS_XDP) -lpthread

# --- selftest programs ----------------------------------------------------
# selftests/lib/*.c and the payload pattern (user/pattern.c) are linked into
# every test program; selftests/tools/*.c are traffic generators and
# receivers; selftests/{host,vm}/*.c are tests. BPF skeletons (bpftool gen
# skeleton) of selftests/bpf/ are generated next to their objects.
SELFTEST_LIB_OBJS := $(patsubst %.c,$(O)/%.o,$(wildcard selftests/lib/*.c)) $(PATTERN_OBJ)
SELFTEST_PROGS := $(patsubst %.c,$(O)/%,$(wildcard selftests/tools/*.c \
		    selftests/vm/*.c selftests/host/*.c))
SELFTEST_SKELS := $(patsubst %.bpf.c,$(O)/%.skel.h,$(wildcard selftests/bpf/*.bpf.c))
SELFTEST_CFLAGS := $(CFLAGS) $(TEST_INC) -Iuser -I$(O)/selftests/bpf
selftests: $(SELFTEST_PROGS) $(O)/selftests/bench/rx_bench
# The receive benchmark's receivers and their CPU meter (napi_time.bpf.o's
# skeleton); the devmem TCP receiver also links the kernel tree's ynl
# library and netdev family, which `make ncdevmem` builds.
BENCH_METER_OBJ := $(O)/selftests/bench/napi_meter.o
NCDEVMEM_OBJ := $(O)/ncdevmem/obj
BENCH_CFLAGS := $(SELFTEST_CFLAGS) -Iselftests/bpf
$(BENCH_METER_OBJ): selftests/bench/napi_meter.c $(O)/selftests/bpf/napi_time.skel.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -MMD -c $< -o $@
$(O)/selftests/bench/rx_bench: selftests/bench/rx_bench.c $(SELFTEST_LIB_OBJS) $(BENCH_METER_OBJ)
	$(call msg,CC,$@)
	$(Q)$(CC) $(BENCH_CFLAGS) -MMD $< $(SELFTEST_LIB_OBJS) $(BENCH_METER_OBJ) -o $@ \
		$(LDLIBS_XDP)
$(NCDEVMEM_OBJ)/libynl.a: ncdevmem ;
$(O)/selftests/bench/devmem_rx: selftests/bench/devmem_rx.c $(SELFTEST_LIB_OBJS) \
				$(BENCH_METER_OBJ) $(NCDEVMEM_OBJ)/libynl.a
	$(call msg,CC,$@)
	$(Q)$(CC) $(BENCH_CFLAGS) -isystem $(NCDEVMEM_OBJ)/ynl -MMD $< $(SELFTEST_LIB_OBJS) \
		$(BENCH_METER_OBJ) $(NCDEVMEM_OBJ)/libynl.a -o $@ $(LDLIBS_XDP)
$(O)/%.skel.h: $(O)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)bpftool gen skeleton $< > $@.tmp && mv $@.tmp $@
$(O)/selftests/lib/%.o: selftests/lib/%.c $(O)/uapi/.stamp
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -MMD -c $< -o $@
$(O)/selftests/%: selftests/%.c $(SELFTEST_LIB_OBJS) $(SELFTEST_SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -MMD $< $(SELFTEST_LIB_OBJS) -o $@ $(LDLIBS_XDP)

# --- steer: test programs (issue 4) ---------------------------------------
# Built with ASan/UBSan, linked with the packet builder, case table,
# reference parser, BPF_PROG_TEST_RUN harness and the map library.
SAN_CFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=all
STEER_TEST_CFLAGS = $(CFLAGS) $(SAN_CFLAGS) -Iuser -Iselftests/steer
STEER_TEST_OBJS := $(patsubst %.c,$(O)/san/%.o,$(filter-out selftests/steer/fuzz_%.c, \
		   $(wildcard selftests/steer/*.c)) user/steer_maps.c)
STEER_TESTS := $(patsubst %.c,$(O)/%,$(wildcard selftests/host/steer_*.c))
selftests: $(STEER_TESTS)
$(O)/san/%.o: %.c $(O)/uapi/.stamp
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(STEER_TEST_CFLAGS) -MMD -c $< -o $@
$(STEER_TESTS): $(O)/selftests/host/%: selftests/host/%.c $(STEER_TEST_OBJS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(STEER_TEST_CFLAGS) -MMD $< $(STEER_TEST_OBJS) -o $@ $(LDLIBS_XDP)

# --- steer: coverage-guided fuzzing of the reference parser (issue 13) ----
# libFuzzer targets (selftests/steer/fuzz_*.c), with ASan and UBSan; the
# corpus is replayed through the program by steer_replay. make test runs a
# short round (host/steer_libfuzz.sh), make hardening a long one.
FUZZ_CFLAGS = $(CFLAGS) -Iselftests/steer -fsanitize=fuzzer,address,undefined \
	      -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_TARGETS := $(patsubst %.c,$(O)/%,$(wildcard selftests/steer/fuzz_*.c))
selftests: $(FUZZ_TARGETS)
$(FUZZ_TARGETS): $(O)/selftests/steer/%: selftests/steer/%.c selftests/steer/ref_parser.c \
		selftests/steer/ref_parser.h include/xsk_steer.h $(O)/uapi/.stamp
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $< selftests/steer/ref_parser.c -o $@

# The long versions of the hardening tests (issue 13): libFuzzer on the
# steering parser and its replay through BPF (FUZZ_TIME, 600 s); on the
# debug kernel (KASAN, lockdep, kmemleak, DEBUG_LIST, DEBUG_NET) the UAPI
# state-machine fuzzer (FUZZ_SECONDS, 900 s; FUZZ_SEED replays a run), fault
# injection with 1000 random runs and the limits (a 256 MiB area: udmabuf's
# pinning of 512 MiB takes the debug kernel longer than the soft-lockup
# watchdog); on the default kernel the soak (SOAK_PACKETS per mode).
HARDENING_OUT := $(O)/test-results/hardening
hardening: deps all ncdevmem
	$(Q)XSK_BUILD=$(O) selftests/host/steer_libfuzz.sh -t $(or $(FUZZ_TIME),600)
	$(Q)scripts/kernel.sh build debug >/dev/null
	$(Q)scripts/kernel.sh build default >/dev/null
	$(Q)scripts/vm-run.sh --debug -t 3000 -o $(HARDENING_OUT)/debug \
		-e FUZZ_SECONDS=$(or $(FUZZ_SECONDS),900) $(if $(FUZZ_SEED),-e FUZZ_SEED=$(FUZZ_SEED)) \
		-e DMABUF_FAULT_RANDOM=1000 -e DMABUF_LIMITS_MB=256 \
		vm/boot.sh vm/dmabuf_fuzz.sh@nsim-split vm/dmabuf_fault.sh@nsim-split \
		vm/dmabuf_limits.sh vm/dmabuf_limits.sh@nsim-split
	$(Q)scripts/vm-run.sh -t 2400 -o $(HARDENING_OUT)/soak \
		-e SOAK_PACKETS=$(or $(SOAK_PACKETS),1000000) -e XSK_TEST_TIMEOUT=2300 \
		vm/boot.sh vm/dmabuf_soak.sh@nsim-split
.PHONY: hardening

# --- steer: benchmark (issue 4) -------------------------------------------
STEER_BENCH_OBJS := $(patsubst %.c,$(O)/%.o,selftests/steer/pkt.c user/steer_maps.c)
$(O)/selftests/steer/%.o: selftests/steer/%.c $(O)/uapi/.stamp
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -Iuser -Iselftests/steer -MMD -c $< -o $@
$(O)/selftests/bench/steer_bench: selftests/bench/steer_bench.c $(STEER_BENCH_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -Iuser -Iselftests/steer $^ -o $@ $(LDLIBS_XDP)
selftests: $(O)/selftests/bench/steer_bench
bench-steer: bpf $(O)/selftests/bench/steer_bench
	$(Q)scripts/bench-steer.sh
bench: bench-steer
.PHONY: bench-steer

# --- libxsk-devmem: tests, examples, benchmark (issue 6) -----------------
# The library's tests: ring and data-path units under ASan/UBSan, the
# two-thread ring test under TSan, the host "kernel without the patch"
# test; VM tests (selftests/vm/lib_*.c) link the static library.
LIB_TSAN_CFLAGS := $(filter-out -fsanitize=%,$(CFLAGS)) -fsanitize=thread -O1 -Iuser
LIB_HOST_TESTS := $(patsubst %.c,$(O)/%,$(wildcard selftests/host/lib_*.c))
LIB_VM_TESTS := $(patsubst %.c,$(O)/%,$(wildcard selftests/vm/lib_*.c))
LIB_SAN_OBJS := $(patsubst %.c,$(O)/san/%.o,$(LIB_SRCS))
selftests: $(LIB_HOST_TESTS) $(LIB_VM_TESTS) $(O)/selftests/host/lib_ring_mt.tsan
$(filter-out %/lib_ring_mt,$(LIB_HOST_TESTS)): $(O)/selftests/host/%: selftests/host/%.c \
		$(LIB_SAN_OBJS) $(SELFTEST_LIB_OBJS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(STEER_TEST_CFLAGS) $(TEST_INC) -MMD $< $(LIB_SAN_OBJS) $(SELFTEST_LIB_OBJS) \
		-o $@ $(LIB_LDLIBS)
$(O)/selftests/host/lib_ring_mt: selftests/host/lib_ring_mt.c $(LIB_SAN_OBJS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(STEER_TEST_CFLAGS) -MMD $< $(LIB_SAN_OBJS) -o $@ $(LIB_LDLIBS)
$(O)/selftests/host/lib_ring_mt.tsan: selftests/host/lib_ring_mt.c $(LIB_SRCS) $(O)/uapi/.stamp
	$(call msg,CC-TSAN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(LIB_TSAN_CFLAGS) $< $(LIB_SRCS) -o $@ $(LIB_LDLIBS)
$(LIB_VM_TESTS): $(O)/selftests/vm/%: selftests/vm/%.c $(LIB_A) $(SELFTEST_LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(TEST_INC) -Iuser -MMD $< $(SELFTEST_LIB_OBJS) $(LIB_A) -o $@ \
		$(LIB_LDLIBS)

# Examples: built against the library in the tree (device_consumer checks
# payload with the pattern of `xsk-devmem rx --verify`).
EXAMPLES := $(patsubst %.c,$(O)/%,$(wildcard examples/*.c))
user: $(EXAMPLES)
$(EXAMPLES): $(O)/examples/%: examples/%.c $(LIB_A) $(PATTERN_OBJ)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -Iuser $< $(LIB_A) $(PATTERN_OBJ) -o $@ $(LIB_LDLIBS)

# Ring benchmark: the library's receive/release loop against the same loop
# with libxdp's xsk_ring_* helpers, on simulated rings, in one run.
$(O)/selftests/bench/lib_bench: selftests/bench/lib_bench.c $(LIB_A)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -Iuser $< $(LIB_A) -o $@ $(LIB_LDLIBS) $(LDLIBS_XDP)
selftests: $(O)/selftests/bench/lib_bench
bench-lib: $(O)/selftests/bench/lib_bench
	$(Q)XSK_BUILD=$(O) scripts/bench-lib.sh
bench: bench-lib
.PHONY: lib install bench-lib

# --- tests, demo, series --------------------------------------------------
test: deps all kernel kselftest-xsk $(O)/selftests/bench/devmem_rx
	$(Q)scripts/test.sh --kconfig $(KCONFIG)

host-test: deps all
	$(Q)scripts/test.sh --kconfig $(KCONFIG) --host-only

vm-test: deps all kernel kselftest-xsk $(O)/selftests/bench/devmem_rx
	$(Q)scripts/test.sh --kconfig $(KCONFIG) --vm-only $(VM_TESTS)

# The nsim-split half of the demo sets the reference driver's tcp-data-split
# with selftests/tools/ethtool_rings (selftests/lib/ethtool-nl), from `all`.
demo: deps all kernel
	$(Q)scripts/demo.sh --kconfig $(KCONFIG) $(if $(COUNT),--count $(COUNT))

# The series as it would be posted, and proof that each patch builds on
# its own (a kernel build per patch: slow the first time, so not part of
# make test, whose host/kernel_series.sh runs `kernel.sh patches` alone).
patches: deps
	$(Q)scripts/kernel.sh patches $(O)/patches
	$(Q)scripts/kernel.sh steps

# Plain AF_XDP on the unpatched tree (the base kernel: no series, the same
# config without its options), run as the test suite runs it on the
# patched one: vm/xskxceiver.sh's known failures must fail here too.
xsk-reference: deps all kselftest-xsk
	$(Q)scripts/kernel.sh build base >/dev/null
	$(Q)scripts/vm-run.sh -k "$$(scripts/kernel.sh image base)" -t 1500 \
		-o $(O)/test-results/reference vm/xsk_baseline.sh vm/xskxceiver.sh

bench: deps all kernel

# Receive path (issue 5): plain AF_XDP vs dmabuf UMEM vs recvmmsg in the
# guest under -icount; ratios against plain AF_XDP.
bench-rx: deps all kernel $(O)/selftests/bench/devmem_rx
	$(Q)scripts/bench-rx.sh $(if $(COUNT),--count $(COUNT)) $(if $(SIZES),--sizes $(SIZES)) \
		$(if $(MODES),--modes $(MODES))
bench: bench-rx
.PHONY: bench-rx

clean:
	rm -rf $(O)

# Keep generated skeletons and objects: they are inputs of several rules.
.SECONDARY:

# A header that a .d file names but that is gone (moved or deleted) must
# not stop the build with "No rule to make target": this empty rule covers
# it, for .d files of any age (gcc's -MP would cover new ones only).
%.h: ;

-include $(shell find $(O) -name '*.d' 2>/dev/null)
